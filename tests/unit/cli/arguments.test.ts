import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { runMain } from "./run-main.js";

const COMMANDS = ["lock", "build", "publish", "local-export", "status", "verify", "diff"];
const SELECTION = ["--include <pattern>", "--include-dependencies", "--allow-missing"];

describe("help and version", () => {
  test("--help lists every command and exits 0", async () => {
    const { code, stdout, stderr } = await runMain("--help");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^Usage: envstacks \[options\] \[command\]/);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  });

  test("--version prints the package version", async () => {
    const manifest = JSON.parse(
      await readFile(new URL("../../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    const { code, stdout } = await runMain("--version");
    expect(code).toBe(0);
    expect(stdout).toBe(`${manifest.version}\n`);
  });

  test.each([
    ["lock", ["--reset-lock", "--if-needed", ...SELECTION]],
    [
      "build",
      ["--publish", "--tag-outputs", "--dry-run", "--build-dir <dir>", "--offline", "--json"],
    ],
    ["build", SELECTION],
    ["publish", ["--build-dir <dir>", ...SELECTION]],
    ["local-export", ["--build-dir <dir>", ...SELECTION]],
    ["status", ["--json", "--build-dir <dir>", ...SELECTION]],
    ["verify", ["--expected <dir>", "--update", "--export <dir>", "--report <file>", ...SELECTION]],
    ["diff", ["--json"]],
  ])("%s --help shows its options", async (command, options) => {
    const { code, stdout } = await runMain(command, "--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: envstacks ${command} \\[options\\]`));
    for (const option of options) expect(stdout).toContain(option);
  });

  test("the usage line names each command's arguments", async () => {
    expect((await runMain("build", "--help")).stdout).toContain("<spec> [output_dir]");
    expect((await runMain("publish", "--help")).stdout).toContain("<spec> <output_dir>");
    expect((await runMain("diff", "--help")).stdout).toContain("<a> <b>");
  });
});

describe("usage errors exit 2 with commander's message", () => {
  test("no command shows the help on stderr", async () => {
    const { code, stdout, stderr } = await runMain();
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: envstacks");
  });

  test("an unknown command", async () => {
    const { code, stderr } = await runMain("bogus");
    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown command 'bogus'");
  });

  test("an unknown option", async () => {
    const { code, stderr } = await runMain("status", "spec.toml", "--frobnicate");
    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown option '--frobnicate'");
  });

  test("a missing argument", async () => {
    const { code, stderr } = await runMain("publish", "spec.toml");
    expect(code).toBe(2);
    expect(stderr).toContain("error: missing required argument 'output_dir'");
  });

  test("too many arguments", async () => {
    const { code, stderr } = await runMain("status", "a.toml", "b.toml");
    expect(code).toBe(2);
    expect(stderr).toContain("error: too many arguments for 'status'");
  });

  test("verify without --expected", async () => {
    const { code, stderr } = await runMain("verify", "spec.toml");
    expect(code).toBe(2);
    expect(stderr).toContain("error: required option '--expected <dir>' not specified");
  });

  test("--include without a pattern", async () => {
    const { code, stderr } = await runMain("status", "spec.toml", "--include");
    expect(code).toBe(2);
    expect(stderr).toContain("error: option '--include <pattern>' argument missing");
  });

  test("build --publish without an output directory", async () => {
    const { code, stdout, stderr } = await runMain("build", "spec.toml", "--publish");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "envstacks: error: envstacks build --publish needs an OUTPUT_DIR to publish into\n",
    );
  });
});
