/**
 * Malformed and hostile specs through the built CLI: each gives one clear error line naming
 * the problem, a non-zero exit, and writes nothing (no locks, no build dir, no output, no
 * download cache). The corpus is `tests/fixtures/hostile-specs/*.toml`, each starting with
 * `# expect: <text the error must contain>`; the huge, deeply nested and symlinked cases
 * are generated here.
 */
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks, REPO_ROOT } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const CORPUS = path.join(REPO_ROOT, "tests", "fixtures", "hostile-specs");
const RUNTIME = '[[runtimes]]\nname = "node-22"\nnode_implementation = "node@22.12.0"\n';

const tempDir = useTempDir("envstacks-bad-specs-");

/**
 * `<temp>/outside.mjs` beside `<temp>/spec/{envstacks.toml,hello.mjs}`; runs
 * `build --publish` (which would lock, build and publish) and checks the outcome.
 */
async function expectRefused(
  toml: string,
  says: string,
  prepare?: (specDir: string) => Promise<void>,
) {
  const specDir = path.join(tempDir(), "spec");
  await mkdir(specDir);
  await writeFile(path.join(tempDir(), "outside.mjs"), "export {};\n");
  await writeFile(path.join(specDir, "hello.mjs"), "export {};\n");
  await writeFile(path.join(specDir, "envstacks.toml"), toml);
  await prepare?.(specDir);
  const before = await readdir(specDir);
  const cache = path.join(tempDir(), "cache");

  const run = await envstacks(["build", "--publish", "envstacks.toml", "out"], specDir, {
    ...process.env,
    ENVSTACKS_CACHE_DIR: cache,
  });

  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^envstacks: error: envstacks\.toml: /);
  expect(lines[0]).toContain(says);
  expect(run.code).toBe(2);
  // Nothing written: no requirements/, _build/ or out/, no cache.
  expect(await readdir(specDir)).toEqual(before);
  expect(await readdir(tempDir())).toEqual(["outside.mjs", "spec"].sort());
}

describe("hostile spec corpus", async () => {
  const files = (await readdir(CORPUS)).filter((name) => name.endsWith(".toml")).sort();

  test("holds the cases the reliability issue lists", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  test.each(files)("%s is refused with one clear error", async (file) => {
    const toml = await readFile(path.join(CORPUS, file), "utf8");
    const says = /^# expect: (.*)$/m.exec(toml)?.[1];
    if (says === undefined) throw new Error(`${file} has no "# expect:" line`);
    await expectRefused(toml, says);
  });
});

describe("generated hostile specs", () => {
  test("a 2 MB spec is refused before parsing", async () => {
    const toml = `${RUNTIME}# ${"x".repeat(2 * 1024 * 1024)}\n`;
    await expectRefused(toml, "at most 1048576 bytes (1 MiB) are accepted");
  });

  test("a 100 000-character name", async () => {
    await expectRefused(
      RUNTIME.replace("node-22", "n".repeat(100_000)),
      "runtimes[0]: name: expected a name matching",
    );
  });

  test("10 000 requirements in one layer", async () => {
    const requirements = Array.from({ length: 10_000 }, (_, i) => `"p${i}@1"`).join(", ");
    await expectRefused(
      `${RUNTIME}requirements = [${requirements}]\n`,
      "node-22: requirements: expected at most 1000 entries, got 10000",
    );
  });

  test("arrays nested 10 000 deep do not blow the stack", async () => {
    const nested = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    await expectRefused(`${RUNTIME}requirements = ${nested}\n`, "excessively nested");
  });

  test("inline tables nested 10 000 deep do not blow the stack", async () => {
    const nested = `${"{ a = ".repeat(10_000)}1${" }".repeat(10_000)}`;
    await expectRefused(`${RUNTIME}requirements = ${nested}\n`, "excessively nested");
  });

  test("more than 1000 layers", async () => {
    const runtimes = Array.from({ length: 1001 }, (_, i) =>
      RUNTIME.replace("node-22", `node-${i}`),
    );
    await expectRefused(runtimes.join("\n"), "expected at most 1000 layers");
  });

  test("a chain of 40 frameworks, each on the one before", async () => {
    const frameworks = ['[[frameworks]]\nname = "f0"\nruntime = "node-22"\n'];
    for (let i = 1; i < 40; i++) {
      frameworks.push(`[[frameworks]]\nname = "f${i}"\nframeworks = ["f${i - 1}"]\n`);
    }
    await expectRefused(
      [RUNTIME, ...frameworks].join("\n"),
      "framework-f33: frameworks: builds on a chain of more than 32 frameworks",
    );
  });

  test("a launch module reached through a symlinked directory pointing outside", async () => {
    const app = `${RUNTIME}\n[[applications]]\nname = "hello"\nruntime = "node-22"\nlaunch_module = "escape/outside.mjs"\n`;
    await expectRefused(
      app,
      'app-hello: launch_module: "escape/outside.mjs" resolves (through a symlink)',
      (specDir) =>
        // A junction on Windows (no privilege needed), a symlink elsewhere.
        symlink(path.dirname(specDir), path.join(specDir, "escape"), "junction"),
    );
  });

  // Windows creates file symlinks only with a privilege CI runners may lack.
  test.runIf(process.platform !== "win32")(
    "a launch module that is a symlink to a file outside",
    async () => {
      const app = `${RUNTIME}\n[[applications]]\nname = "hello"\nruntime = "node-22"\nlaunch_module = "link.mjs"\n`;
      await expectRefused(app, '"link.mjs" resolves (through a symlink)', (specDir) =>
        symlink(path.join("..", "outside.mjs"), path.join(specDir, "link.mjs")),
      );
    },
  );
});
