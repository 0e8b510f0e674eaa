/**
 * The artifact export of the expected-output tests (tests/helpers/artifact-export.ts), on a
 * tiny fake published sample: what lands where, the skip message, and — through a real
 * vitest run of a generated test file — that a failing test exports and a passing one only
 * with ENVSTACKS_FORCE_TEST_EXPORT=1.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { listFiles } from "../../src/verify/compare.js";
import {
  EXPORT_DIR_VARIABLE,
  exportTestArtifacts,
  FORCE_EXPORT_VARIABLE,
  type TestArtifacts,
  testFileStem,
} from "../helpers/artifact-export.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();

/** A project's requirements and an OUTPUT_DIR as a publish of one app layer leaves them. */
async function fakePublishedSample(root: string): Promise<TestArtifacts> {
  const files: Record<string, string> = {
    "project/requirements/app-demo/package-lock.json": '{"lockfileVersion": 3}\n',
    "project/requirements/app-demo/packages-app-demo.txt": "ms==2.1.3\n",
    "out/app-demo.tar.xz": "archive bytes",
    "out/__envstacks__/envstacks.json": '{"layers": {}}\n',
    "out/__envstacks__/env_metadata/app-demo.json": '{"layer_name": "app-demo"}\n',
    "out/__envstacks__/publish_stamps/app-demo.json": "{}\n",
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return {
    requirementsDir: path.join(root, "project", "requirements"),
    outputDir: path.join(root, "out"),
  };
}

const EXPORTED = [
  "archives/app-demo.tar.xz",
  "manifests/env_metadata/app-demo.json",
  "manifests/envstacks.json",
  "requirements/app-demo/package-lock.json",
  "requirements/app-demo/packages-app-demo.txt",
];

describe("exportTestArtifacts", () => {
  test("copies locks, manifests and archives under DIR/<test-file-stem>/", async () => {
    const artifacts = await fakePublishedSample(path.join(tempDir(), "sample"));
    const exportDir = path.join(tempDir(), "exported");
    await mkdir(exportDir);
    const lines: string[] = [];
    const target = await exportTestArtifacts("expected-output", artifacts, {
      env: { [EXPORT_DIR_VARIABLE]: exportDir },
      log: (line) => lines.push(line),
    });
    expect(target).toBe(path.join(exportDir, "expected-output"));
    expect(await listFiles(path.join(exportDir, "expected-output"))).toEqual(EXPORTED);
    expect(await readFile(path.join(exportDir, "expected-output", EXPORTED[0] ?? ""), "utf8")).toBe(
      "archive bytes",
    );
    expect(lines).toEqual([`exported test artifacts to ${target}`]);
  });

  test("says in one line that it skips the export when DIR does not exist", async () => {
    const artifacts = await fakePublishedSample(path.join(tempDir(), "sample"));
    const missing = path.join(tempDir(), "no-such-dir");
    const lines: string[] = [];
    const target = await exportTestArtifacts("expected-output", artifacts, {
      env: { [EXPORT_DIR_VARIABLE]: missing },
      log: (line) => lines.push(line),
    });
    expect(target).toBeUndefined();
    expect(lines).toEqual([
      `${EXPORT_DIR_VARIABLE}: ${missing} does not exist, skipping the export of test artifacts`,
    ]);
    expect(existsSync(missing)).toBe(false);
  });

  test("does nothing, silently, without the variable", async () => {
    const artifacts = await fakePublishedSample(path.join(tempDir(), "sample"));
    const lines: string[] = [];
    const target = await exportTestArtifacts("x", artifacts, {
      env: {},
      log: (l) => lines.push(l),
    });
    expect(target).toBeUndefined();
    expect(lines).toEqual([]);
  });

  test("names the export after the test file without its .test.ts suffix", () => {
    expect(testFileStem("/repo/tests/sample/expected-output.test.ts")).toBe("expected-output");
    expect(testFileStem(pathToFileURL("/repo/tests/a-b.test.ts").href)).toBe("a-b");
  });
});

interface VitestRun {
  code: number;
  output: string;
}

/** Runs vitest on one generated test file in `root`, with the export variables given. */
function runVitest(root: string, env: Record<string, string>): Promise<VitestRun> {
  const vitest = path.join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith("ENVSTACKS_") && name !== "FORCE_COLOR",
    ),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitest, "run", "--root", root, "--config", path.join(root, "vitest.config.mjs")],
      { cwd: root, env: { ...clean, ...env, CI: "1", NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * A test file `<name>.test.ts` whose one test passes or fails, exporting the fake sample;
 * `force` sets ENVSTACKS_FORCE_TEST_EXPORT=1 for this file alone.
 */
async function writeTestFile(root: string, name: string, passes: boolean, force = false) {
  const helper = pathToFileURL(path.join(REPO_ROOT, "tests", "helpers", "artifact-export.ts"));
  const options = force ? `{ env: { ...process.env, ${FORCE_EXPORT_VARIABLE}: "1" } }` : "{}";
  await writeFile(
    path.join(root, `${name}.test.ts`),
    [
      'import path from "node:path";',
      'import { expect, test } from "vitest";',
      `import { useArtifactExport } from ${JSON.stringify(helper.href)};`,
      `const sample = ${JSON.stringify(path.join(root, "sample"))};`,
      "useArtifactExport(import.meta.url, () => ({",
      '  requirementsDir: path.join(sample, "project", "requirements"),',
      '  outputDir: path.join(sample, "out"),',
      `}), ${options});`,
      `test("compares", () => { expect(1).toBe(${passes ? 1 : 2}); });`,
      "",
    ].join("\n"),
  );
}

describe("useArtifactExport in a vitest run", () => {
  test("a failing test exports; a passing one only with ENVSTACKS_FORCE_TEST_EXPORT=1", {
    timeout: 120_000,
  }, async () => {
    const root = tempDir();
    await fakePublishedSample(path.join(root, "sample"));
    // The generated files import vitest as the repository's tests do.
    await symlink(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    await writeFile(
      path.join(root, "vitest.config.mjs"),
      'export default { test: { include: ["*.test.ts"] } };\n',
    );
    await writeTestFile(root, "fails", false);
    await writeTestFile(root, "passes", true);
    await writeTestFile(root, "passes-forced", true, true);
    const exportDir = path.join(root, "exported");
    await mkdir(exportDir);

    const run = await runVitest(root, { [EXPORT_DIR_VARIABLE]: exportDir });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/Tests\s+1 failed \| 2 passed/);
    expect(await listFiles(path.join(exportDir, "fails"))).toEqual(EXPORTED);
    expect(await listFiles(path.join(exportDir, "passes-forced"))).toEqual(EXPORTED);
    expect(existsSync(path.join(exportDir, "passes"))).toBe(false);
  });
});
