import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { LayerGraph } from "../../../src/graph/layers.js";
import { writeLayerLock } from "../../../src/lock/lock-layers.js";
import { readCommittedLock, readLockState } from "../../../src/lock/state.js";
import type { LockedPackage } from "../../../src/lock/types.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { useTempDir } from "../../helpers/temp-dir.js";

// No registry here: locks are written from made-up resolutions, which is all state reads.

const tempDir = useTempDir();

interface SpecOptions {
  appRequirements?: string;
  runtimePlatforms?: string;
  excludeNewer?: string;
}

function specText(options: SpecOptions = {}): string {
  return `
[settings]
exclude_newer = "${options.excludeNewer ?? "2025-06-01T00:00:00Z"}"

[[runtimes]]
name = "node-22"
node_implementation = "node@22.12.0"
platforms = ${options.runtimePlatforms ?? '["linux-x64"]'}

[[frameworks]]
name = "web"
runtime = "node-22"
requirements = ["ms@^2.1.0"]
versioned = true

[[applications]]
name = "x"
launch_module = "launch.mjs"
frameworks = ["web"]
requirements = ${options.appRequirements ?? '["lodash@^4.17.21"]'}
`;
}

async function loadSpec(options: SpecOptions = {}): Promise<StackSpec> {
  const specPath = join(tempDir(), "envstacks.toml");
  await writeFile(join(tempDir(), "launch.mjs"), "export {};\n");
  await writeFile(specPath, specText(options));
  return StackSpec.load(specPath);
}

function fakePackage(name: string, version: string): LockedPackage {
  return {
    path: `node_modules/${name}`,
    name,
    version,
    resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
    integrity: `sha512-${name}${version}`,
  };
}

/** Locks `layerNames` (graph order) as if each requirement resolved to `version`. */
async function fakeLock(spec: StackSpec, layerNames: string[], version = "1.0.0"): Promise<void> {
  const graph = LayerGraph.fromSpec(spec);
  for (const layerName of layerNames) {
    const layer = graph.get(layerName);
    const lowerMetas = [];
    for (const lower of layer.lowerLayers) {
      const meta = (await readCommittedLock(spec, lower.layerName)).meta;
      if (meta === undefined) throw new Error(`${lower.layerName} must be locked first`);
      lowerMetas.push(meta);
    }
    const previousMeta = (await readCommittedLock(spec, layerName)).meta;
    await writeLayerLock(spec, graph, layer, {
      resolved: {
        own: layer.spec.requirements.map((r) => fakePackage(r.name, version)),
        inherited: [],
      },
      lowerMetas,
      binaries: [],
      previousMeta,
      now: new Date("2025-07-01T00:00:00Z"),
    });
  }
}

const ALL = ["node-22", "framework-web", "app-x"];

async function states(spec: StackSpec) {
  const result: Record<string, string> = {};
  for (const name of ALL) {
    const state = await readLockState(spec, name);
    result[name] = state.reason ? `${state.status}: ${state.reason}` : state.status;
  }
  return result;
}

describe("readLockState", () => {
  test("layers without lock files are missing", async () => {
    const spec = await loadSpec();
    expect(await states(spec)).toEqual({
      "node-22": "missing: not locked",
      "framework-web": "missing: not locked",
      "app-x": "missing: not locked",
    });
  });

  test("freshly written locks are valid and carry version and time", async () => {
    const spec = await loadSpec();
    await fakeLock(spec, ALL);
    expect(await states(spec)).toEqual({
      "node-22": "valid",
      "framework-web": "valid",
      "app-x": "valid",
    });
    expect(await readLockState(spec, "framework-web")).toMatchObject({
      lockVersion: 1,
      lockedAt: "2025-07-01T00:00:00.000Z",
    });
  });

  test("a changed requirement makes the layer stale", async () => {
    await fakeLock(await loadSpec(), ALL);
    const spec = await loadSpec({ appRequirements: '["lodash@^4.17.0"]' });
    expect(await states(spec)).toEqual({
      "node-22": "valid",
      "framework-web": "valid",
      "app-x": "stale: requirements changed",
    });
  });

  test("relocking a lower layer makes the layers above it stale", async () => {
    const spec = await loadSpec();
    await fakeLock(spec, ALL);
    await fakeLock(spec, ["framework-web"], "2.0.0");
    expect(await states(spec)).toEqual({
      "node-22": "valid",
      "framework-web": "valid",
      "app-x": "stale: lower layer framework-web was relocked",
    });
    expect((await readLockState(spec, "framework-web")).lockVersion).toBe(2);
  });

  test("a hand-edited lockfile is detected and the staleness propagates", async () => {
    const spec = await loadSpec();
    await fakeLock(spec, ALL);
    const lockPath = join(spec.requirementsDir("framework-web"), "package-lock.json");
    await writeFile(lockPath, (await readFile(lockPath, "utf8")).replace("1.0.0", "1.0.1"));
    expect(await states(spec)).toEqual({
      "node-22": "valid",
      "framework-web": "stale: lockfile modified since it was locked",
      "app-x": "stale: lower layer framework-web is stale",
    });
  });

  test("a lower layer without a lock is named", async () => {
    const spec = await loadSpec();
    await fakeLock(spec, ALL);
    await rm(spec.requirementsDir("framework-web"), { recursive: true });
    expect((await readLockState(spec, "app-x")).reason).toBe(
      "lower layer framework-web is not locked",
    );
  });

  test("changed platforms and exclude_newer are reported", async () => {
    await fakeLock(await loadSpec(), ALL);
    const morePlatforms = await loadSpec({ runtimePlatforms: '["linux-x64", "win32-x64"]' });
    expect(await states(morePlatforms)).toEqual({
      "node-22": "stale: platforms changed",
      "framework-web": "stale: lower layer node-22 is stale",
      "app-x": "stale: lower layer framework-web is stale",
    });
    const later = await loadSpec({ excludeNewer: "2025-07-01T00:00:00Z" });
    expect((await readLockState(later, "node-22")).reason).toBe("exclude_newer changed");
  });

  test("unreadable lock metadata is stale, not valid", async () => {
    const spec = await loadSpec();
    await fakeLock(spec, ALL);
    await writeFile(join(spec.requirementsDir("node-22"), "lock-meta.json"), '{"layer_name": 1}');
    expect((await readLockState(spec, "node-22")).status).toBe("stale");
  });
});
