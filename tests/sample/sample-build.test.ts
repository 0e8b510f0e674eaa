/**
 * The sample project, built once per run into a temp copy (shared, read-only), runs as its
 * users would run it: every app through its launcher from a local export, again after the
 * export is moved elsewhere; a rebuild with nothing changed does no work; a changed launch
 * module (in a copy) rebuilds only its app.
 */
import { appendFile, mkdir, readdir, rename } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { StackSpec } from "../../src/spec/stack-spec.js";
import { envstacks } from "../helpers/cli.js";
import { lockedVersion, runExecutable, SAMPLE_PROJECT } from "../helpers/sample-build.js";
import { copySharedSample, useSharedSample } from "../helpers/sample-fixture.js";
import { useTempDir } from "../helpers/temp-dir.js";

const sample = useSharedSample();
const tempDir = useTempDir();
const HOST = `${process.platform}-${process.arch}`;

interface AppCase {
  layer: string;
  args: string[];
  /** Patterns every line of which the app's stdout must match. */
  expected: () => Promise<RegExp[]>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Each sample app and what it prints: its own runtime's Node version, never the machine's. */
const APPS: AppCase[] = [
  {
    layer: "app-hello",
    args: ["layers"],
    expected: async () => [
      /^hello layers from node v22\.14\.0$/m,
      /^semver\.inc\('1\.2\.3', 'minor'\) = 1\.3\.0$/m,
    ],
  },
  {
    layer: "app-server",
    args: ["a", "b c"],
    expected: async () => [
      /^node\s+v22\.14\.0$/m,
      new RegExp(
        `^express\\s+${escapeRegExp(await lockedVersion("framework-web", "express"))}$`,
        "m",
      ),
      /^response\s+hello layered-stacks$/m,
      /^ms\('2 days'\)\s+172800000$/m,
      /^args\s+\["a","b c"\]$/m,
    ],
  },
  {
    layer: "app-report",
    args: [],
    expected: async () => [
      /^node: v22\.14\.0$/m,
      new RegExp(
        `^express: ${escapeRegExp(await lockedVersion("framework-web", "express"))}$`,
        "m",
      ),
      new RegExp(
        `^esbuild: ${escapeRegExp(await lockedVersion("framework-tools", "esbuild"))}$`,
        "m",
      ),
      /^transpiled: const answer=42;console\.log\(42\);$/m,
      /^semver ok: true$/m,
    ],
  },
  {
    layer: "app-legacy-cli",
    args: [],
    expected: async () => [
      /^node v20\.20\.2$/m,
      new RegExp(
        `^lodash ${escapeRegExp(await lockedVersion("framework-legacy", "lodash"))}: sum = 42$`,
        "m",
      ),
      /^chunks: \[\["a","b"\],\["c","d"\],\["e"\]\]$/m,
    ],
  },
];

/** The sample apps built for this machine (all four on linux-x64). */
async function hostApps(): Promise<AppCase[]> {
  const spec = await StackSpec.load(path.join(SAMPLE_PROJECT, "envstacks.toml"));
  return APPS.filter((app) =>
    spec.getLayer(app.layer)?.platforms.some((platform) => platform === HOST),
  );
}

async function expectAppsRun(deployDir: string): Promise<void> {
  const apps = await hostApps();
  if (HOST === "linux-x64") expect(apps).toHaveLength(4);
  for (const app of apps) {
    const launcher = path.join(deployDir, app.layer, "bin", app.layer);
    const run = await runExecutable(launcher, app.args);
    expect(run.stderr, `${app.layer} stderr`).toBe("");
    expect(run.code, `${app.layer} exit code`).toBe(0);
    for (const line of await app.expected()) expect(run.stdout, app.layer).toMatch(line);
  }
}

describe("the sample project, built once", () => {
  test("the first build built every layer for this machine", { tags: ["slow"] }, () => {
    const { firstBuild } = sample();
    expect(firstBuild.stdout).toMatch(/^built \d+ layers/m);
    expect(firstBuild.stdout).not.toMatch(/\bup to date\b/);
  });

  test("a second build does no work and is fast", { tags: ["slow"] }, async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await envstacks(["build", "envstacks.toml"], sample().project);
    const seconds = (Date.now() - started) / 1000;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^nothing to do: all 10 layers are up to date$/m);
    expect(stdout).not.toMatch(/\bbuilt\b/);
    expect(stderr).not.toContain("building");
    expect(seconds).toBeLessThan(15);
  });

  test("local-export gives runnable apps, which keep working when the export is moved", {
    tags: ["slow"],
  }, async () => {
    const { project } = sample();
    const exported = path.join(tempDir(), "exported");
    const { code, stdout, stderr } = await envstacks(
      ["local-export", "envstacks.toml", exported],
      project,
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`exported 10 layers to ${exported}`);
    expect((await readdir(exported)).sort()).toEqual(
      [
        "app-hello",
        "app-legacy-cli",
        "app-report",
        "app-server",
        "framework-legacy",
        "framework-tools",
        "framework-web-extras",
        "framework-web@1",
        "node-20@1",
        "node-22",
      ].sort(),
    );
    await expectAppsRun(exported);

    const hello = path.join(exported, "app-hello", "bin", "app-hello");
    const failing = await runExecutable(hello, ["fail"]);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toContain("hello fail from node v22.14.0");

    const elsewhere = path.join(tempDir(), "moved", "deployment");
    await mkdir(path.dirname(elsewhere));
    await rename(exported, elsewhere);
    await expectAppsRun(elsewhere);
  });

  test("a changed launch module rebuilds only its app", { tags: ["slow"] }, async () => {
    const { project, buildDir } = await copySharedSample(sample(), tempDir());
    // Echo stdin: the rebuilt app shows both the change and the stdin passthrough.
    await appendFile(
      path.join(project, "launch_modules", "hello.mjs"),
      [
        'if (name === "stdin") {',
        '  let text = "";',
        "  for await (const chunk of process.stdin) text += chunk;",
        '  console.log("stdin: " + text);',
        "}",
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await envstacks(["build", "envstacks.toml"], project);
    expect(code, stderr).toBe(0);
    const built = stdout.split("\n").filter((line) => /^\S+\s+built\s/.test(line));
    expect(built.map((line) => line.split(/\s+/)[0])).toEqual(["app-hello"]);
    expect(stdout).toMatch(/^app-hello\s+built\s+app-hello\s+\(app modules changed\)$/m);
    expect(stdout).toMatch(/^built 1 layer, 9 up to date$/m);

    const run = await runExecutable(
      path.join(buildDir, "app-hello", "bin", "app-hello"),
      ["stdin"],
      "piped text",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("stdin: piped text");
  });
});
