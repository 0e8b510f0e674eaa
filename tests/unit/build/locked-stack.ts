/**
 * A small stack, locked without the registry: lock files are written with `writeLayerLock`
 * from hand-made resolutions, so the build can be exercised offline with a fake installer.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BuildEnvironment } from "../../../src/env/build-environment.js";
import type { Layer } from "../../../src/graph/layers.js";
import { writeLayerLock } from "../../../src/lock/lock-layers.js";
import type { LockMeta } from "../../../src/lock/meta.js";
import { readCommittedLock } from "../../../src/lock/state.js";
import type { LockedPackage, RuntimeBinary } from "../../../src/lock/types.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import type { TargetPlatform } from "../../../src/spec/types.js";

/** The platform the tests build for, whatever the host. */
export const PLATFORM: TargetPlatform = "linux-x64";

export const STACK_TOML = `
[[runtimes]]
name = "node-22"
node_implementation = "node@22.14.0"
platforms = ["linux-x64", "darwin-arm64"]

[[runtimes]]
name = "node-win"
node_implementation = "node@22.14.0"
platforms = ["win32-x64"]

[[frameworks]]
name = "web"
runtime = "node-22"
requirements = ["ms@^2.1.0"]
versioned = true

[[frameworks]]
name = "tools"
runtime = "node-22"

[[frameworks]]
name = "mac"
runtime = "node-22"
platforms = ["darwin-arm64"]

[[applications]]
name = "server"
launch_module = "launch_modules/server.mjs"
support_modules = ["support_modules/format.mjs"]
frameworks = ["web"]

[[applications]]
name = "report"
launch_module = "launch_modules/report"
frameworks = ["web", "tools"]

[[applications]]
name = "tool"
launch_module = "launch_modules/tool.mjs"
runtime = "node-22"

[[applications]]
name = "mac-app"
launch_module = "launch_modules/tool.mjs"
frameworks = ["mac"]

[[applications]]
name = "win-app"
launch_module = "launch_modules/tool.mjs"
runtime = "node-win"
`;

export function msPackage(version: string): LockedPackage {
  return {
    path: "node_modules/ms",
    name: "ms",
    version,
    resolved: `https://registry.npmjs.org/ms/-/ms-${version}.tgz`,
    integrity: `sha512-fake-ms-${version}`,
  };
}

function fakeBinary(platform: TargetPlatform): RuntimeBinary {
  return {
    platform,
    source: "npm",
    artifact: `node-${platform}@22.14.0`,
    url: `https://registry.npmjs.org/node-${platform}/-/node-${platform}-22.14.0.tgz`,
    integrity: `sha512-fake-node-${platform}`,
  };
}

/** Writes the spec and its modules into `dir`, returns the loaded spec. */
export async function writeStackProject(dir: string): Promise<StackSpec> {
  await mkdir(path.join(dir, "launch_modules", "report"), { recursive: true });
  await mkdir(path.join(dir, "support_modules"), { recursive: true });
  await writeFile(path.join(dir, "launch_modules", "server.mjs"), 'console.log("server");\n');
  await writeFile(path.join(dir, "launch_modules", "tool.mjs"), 'console.log("tool");\n');
  await writeFile(
    path.join(dir, "launch_modules", "report", "package.json"),
    '{"name":"report","main":"main.js"}\n',
  );
  await writeFile(path.join(dir, "launch_modules", "report", "main.js"), "console.log(1);\n");
  await writeFile(path.join(dir, "support_modules", "format.mjs"), "export const x = 1;\n");
  const specPath = path.join(dir, "envstacks.toml");
  await writeFile(specPath, STACK_TOML);
  return StackSpec.load(specPath);
}

/**
 * Locks `layers` (default: all) bottom-up as `lock` would, with no packages except those in
 * `own`; runtimes get a binary for every platform but the ones in `missingBinaries`.
 */
export async function lockStack(
  env: BuildEnvironment,
  options: {
    layers?: readonly string[];
    own?: Record<string, LockedPackage[]>;
    missingBinaries?: readonly TargetPlatform[];
  } = {},
): Promise<void> {
  const { spec, graph } = env;
  for (const layer of graph.layers) {
    if (options.layers && !options.layers.includes(layer.layerName)) continue;
    const previousMeta = (await readCommittedLock(spec, layer.layerName)).meta;
    await writeLayerLock(spec, graph, layer, {
      resolved: { own: options.own?.[layer.layerName] ?? [], inherited: [] },
      lowerMetas: await lowerMetas(env, layer),
      binaries:
        layer.kind === "runtime"
          ? layer.platforms
              .filter((p) => !options.missingBinaries?.includes(p))
              .map((p) => fakeBinary(p))
          : undefined,
      previousMeta,
      now: new Date("2025-01-01T00:00:00Z"),
    });
  }
}

async function lowerMetas(env: BuildEnvironment, layer: Layer): Promise<LockMeta[]> {
  const metas: LockMeta[] = [];
  for (const lower of layer.lowerLayers) {
    const meta = (await readCommittedLock(env.spec, lower.layerName)).meta;
    if (meta === undefined) throw new Error(`lock ${lower.layerName} first`);
    metas.push(meta);
  }
  return metas;
}
