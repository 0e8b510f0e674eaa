/**
 * The sample project built and published ONCE per test file: `useSamplePublish()` copies
 * sample_project into a temp dir (the repository is never written to), runs
 * `envstacks build --publish envstacks.toml <root>/out` there with the shared download cache,
 * and removes everything after the file's tests, even when the publish fails half-way.
 */
import { cp, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { StackSpec } from "../../src/spec/stack-spec.js";
import { type CliRun, envstacks } from "./cli.js";
import { lockedVersion, runExecutable, SAMPLE_PROJECT } from "./sample-build.js";
import { makeTempDir, removeTempDir } from "./temp-dir.js";

/** A cold cache downloads two Node.js packages; xz-compressing them takes a while too. */
export const PUBLISH_TIMEOUT = 10 * 60_000;

export const HOST = `${process.platform}-${process.arch}`;

export interface SamplePublish {
  /** Temp dir holding the copy and the output; tests may create siblings here. */
  root: string;
  /** The copied sample project (spec: `<project>/envstacks.toml`). */
  project: string;
  buildDir: string;
  /** `<root>/out`, where the first publish wrote. */
  outputDir: string;
  firstPublish: CliRun;
}

/** Copies the sample project (without any `_build`) to `destination`. */
export async function copySampleProject(destination: string): Promise<void> {
  await cp(SAMPLE_PROJECT, destination, {
    recursive: true,
    filter: (source) => !source.split(path.sep).includes("_build"),
  });
}

/** Registers the once-per-file build and publish; the returned getter works inside tests. */
export function useSamplePublish(): () => SamplePublish {
  let root: string | undefined;
  let sample: SamplePublish | undefined;
  beforeAll(async () => {
    root = await makeTempDir("envstacks-sample-publish-");
    const project = path.join(root, "sample_project");
    await copySampleProject(project);
    const outputDir = path.join(root, "out");
    const firstPublish = await envstacks(
      ["build", "--publish", "envstacks.toml", outputDir],
      project,
    );
    if (firstPublish.code !== 0) {
      throw new Error(`publishing the sample project failed:\n${firstPublish.stderr}`);
    }
    sample = { root, project, buildDir: path.join(project, "_build"), outputDir, firstPublish };
  }, PUBLISH_TIMEOUT);
  afterAll(async () => {
    if (root !== undefined) await removeTempDir(root);
  });
  return () => {
    if (sample === undefined) throw new Error("useSamplePublish(): the sample is not published");
    return sample;
  };
}

/** Every file below `dir` (relative path → bytes), for byte-for-byte comparisons. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), await readFile(file));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface AppCase {
  layer: string;
  args: string[];
  /** Patterns the app's stdout must match. */
  expected: () => Promise<RegExp[]>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const locked = async (layer: string, name: string) =>
  escapeRegExp(await lockedVersion(layer, name));

/** Each sample app and what it prints (as in tests/sample/sample-build.test.ts). */
const SAMPLE_APPS: AppCase[] = [
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
      new RegExp(`^express\\s+${await locked("framework-web", "express")}$`, "m"),
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
      new RegExp(`^express: ${await locked("framework-web", "express")}$`, "m"),
      new RegExp(`^esbuild: ${await locked("framework-tools", "esbuild")}$`, "m"),
      /^transpiled: const answer=42;console\.log\(42\);$/m,
      /^semver ok: true$/m,
    ],
  },
  {
    layer: "app-legacy-cli",
    args: [],
    expected: async () => [
      /^node v20\.20\.2$/m,
      new RegExp(`^lodash ${await locked("framework-legacy", "lodash")}: sum = 42$`, "m"),
      /^chunks: \[\["a","b"\],\["c","d"\],\["e"\]\]$/m,
    ],
  },
];

/** Runs every sample app built for this machine through its launcher in `deployDir`. */
export async function expectSampleAppsRun(deployDir: string): Promise<void> {
  const spec = await StackSpec.load(path.join(SAMPLE_PROJECT, "envstacks.toml"));
  const apps = SAMPLE_APPS.filter((app) =>
    spec.getLayer(app.layer)?.platforms.some((platform) => platform === HOST),
  );
  if (HOST === "linux-x64") expect(apps).toHaveLength(4);
  for (const app of apps) {
    const run = await runExecutable(path.join(deployDir, app.layer, "bin", app.layer), app.args);
    expect(run.stderr, `${app.layer} stderr`).toBe("");
    expect(run.code, `${app.layer} exit code`).toBe(0);
    for (const line of await app.expected()) expect(run.stdout, app.layer).toMatch(line);
  }
}
