/**
 * What each sample app prints when it runs through its launcher — its own runtime's Node
 * version, never the machine's — for the build, export and publish tests alike.
 */
import path from "node:path";
import { expect } from "vitest";
import { StackSpec } from "../../src/spec/stack-spec.js";
import { lockedVersion, runExecutable, SAMPLE_PROJECT } from "./sample-build.js";
import { HOST } from "./sample-publish.js";

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
