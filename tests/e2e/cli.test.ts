/**
 * The built CLI as a user runs it: `node bin/envstacks.js …` in a subprocess. Needs `dist/`
 * (the global setup builds it; by hand: `npx tsc -p tsconfig.build.json`).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks, REPO_ROOT } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";
import { STACK_LAYERS, writeStack } from "../unit/cli/stack-fixture.js";

const tempDir = useTempDir();

describe("envstacks (built CLI)", () => {
  test("--help lists the commands", async () => {
    const { code, stdout, stderr } = await envstacks(["--help"], tempDir());
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    for (const command of [
      "lock",
      "build",
      "publish",
      "local-export",
      "status",
      "verify",
      "diff",
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  test("--version prints the package version", async () => {
    const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8"));
    const { code, stdout } = await envstacks(["--version"], tempDir());
    expect(code).toBe(0);
    expect(stdout).toBe(`${(manifest as { version: string }).version}\n`);
  });

  test("status prints a table of the layers", async () => {
    await writeStack(tempDir());
    const { code, stdout, stderr } = await envstacks(["status", "envstacks.toml"], tempDir());
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^LAYER +KIND +INSTALL TARGET +LOCK +OPERATIONS$/);
    expect(lines.slice(1).map((line) => line.split(" ")[0])).toEqual(STACK_LAYERS);
    expect(lines[1]).toMatch(/^node-22 +runtime +node-22@1 +missing\b/);
  });

  test("status --json prints the same as data", async () => {
    await writeStack(tempDir());
    const { code, stdout } = await envstacks(["status", "--json", "envstacks.toml"], tempDir());
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as {
      spec: string;
      buildDir: string;
      layers: { layerName: string; installTarget: string; operations: string[] }[];
    };
    expect(status.spec).toBe("envstacks.toml");
    expect(status.buildDir).toBe(path.join(tempDir(), "_build"));
    expect(status.layers.map((l) => [l.layerName, l.installTarget, l.operations])).toEqual(
      STACK_LAYERS.map((name) => [
        name,
        name === "node-22" ? "node-22@1" : name,
        ["lock", "build", "publish"],
      ]),
    );
  });

  test("a bad spec gives one clear line, no stack trace, and a non-zero exit", async () => {
    await writeStack(tempDir(), '[[runtimes]]\nname = "node-22"\nnode_implementation = "22"\n');
    const { code, stdout, stderr } = await envstacks(["status", "envstacks.toml"], tempDir());
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^envstacks: error: envstacks\.toml: node-22: node_implementation: .+\n$/,
    );
  });

  test("publish names the layer whose lock is missing and writes nothing", async () => {
    await writeStack(tempDir());
    const { code, stdout, stderr } = await envstacks(
      ["publish", "envstacks.toml", "out"],
      tempDir(),
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^envstacks: error: node-22: cannot publish: its lock is missing/);
    expect(existsSync(path.join(tempDir(), "out"))).toBe(false);
  });

  test("a usage error exits 2 with commander's message", async () => {
    const { code, stderr } = await envstacks(["status"], tempDir());
    expect(code).toBe(2);
    expect(stderr).toContain("error: missing required argument 'spec'");
  });
});
