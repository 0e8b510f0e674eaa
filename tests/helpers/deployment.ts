/**
 * Hand-made layers for linking tests: a deployment directory with a runtime layer whose
 * `bin/node` is a symlink to the Node running the tests, framework layers holding tiny
 * packages, and application layers installed by `installApplication`. No registry needed.
 *
 * Every fixture package exports `id` (`name@version`) and `deps` (the `id` of each package
 * it imports), so a test sees which copy of each package was loaded.
 */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { installApplication } from "../../src/install/application.js";
import { type LayerConfig, writeLayerConfig } from "../../src/install/layer-config.js";
import type { ApplicationSpec, TargetPlatform } from "../../src/spec/types.js";

export interface FixturePackage {
  name: string;
  version: string;
  /** `esm`: `"type": "module"` with `exports`; `cjs`: `main` with `exports.id = …`. */
  format: "esm" | "cjs";
  /** Packages this one imports (esm) or requires (cjs) at load time. */
  imports?: string[];
}

/** The platform the tests run on, as a target platform. */
export const HOST_PLATFORM = `${process.platform}-${process.arch}` as TargetPlatform;

/** Writes `<nodeModulesDir>/<name>/` with a package.json and an index.js. */
export async function writePackage(nodeModulesDir: string, pkg: FixturePackage): Promise<void> {
  const dir = path.join(nodeModulesDir, ...pkg.name.split("/"));
  await mkdir(dir, { recursive: true });
  const imports = pkg.imports ?? [];
  const id = JSON.stringify(`${pkg.name}@${pkg.version}`);
  let manifest: Record<string, unknown>;
  let source: string;
  if (pkg.format === "esm") {
    manifest = { name: pkg.name, version: pkg.version, type: "module", exports: "./index.js" };
    source = [
      ...imports.map((name, i) => `import * as dep${i} from ${JSON.stringify(name)};`),
      `export const id = ${id};`,
      `export const deps = { ${imports.map((name, i) => `${JSON.stringify(name)}: dep${i}.id`).join(", ")} };`,
      "",
    ].join("\n");
  } else {
    manifest = { name: pkg.name, version: pkg.version, main: "index.js" };
    source = [
      `exports.id = ${id};`,
      `exports.deps = { ${imports.map((name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)}).id`).join(", ")} };`,
      "",
    ].join("\n");
  }
  await writeFile(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(path.join(dir, "index.js"), source);
}

async function writePackages(layerDir: string, packages: readonly FixturePackage[]): Promise<void> {
  for (const pkg of packages) await writePackage(path.join(layerDir, "node_modules"), pkg);
}

/**
 * A runtime layer `<deploymentDir>/<installTarget>/` whose `bin/node` is a symlink to
 * `nodeBinary` (default: the Node running the tests). Returns the layer directory.
 */
export async function writeRuntimeLayer(
  deploymentDir: string,
  installTarget: string,
  packages: readonly FixturePackage[],
  nodeBinary: string = process.execPath,
): Promise<string> {
  const layerDir = path.join(deploymentDir, installTarget);
  await mkdir(path.join(layerDir, "bin"), { recursive: true });
  await symlink(nodeBinary, path.join(layerDir, "bin", "node"));
  await writePackages(layerDir, packages);
  await writeLayerConfig(layerDir, {
    layer_name: installTarget.split("@")[0] ?? installTarget,
    install_target: installTarget,
    kind: "runtime",
    runtime: installTarget,
    lower_layers: [],
  });
  return layerDir;
}

export interface FixtureFramework {
  installTarget: string;
  runtime: string;
  /** Install targets in resolution order (bases, then the runtime). */
  lowerLayers: string[];
  packages: readonly FixturePackage[];
}

/** A framework layer holding `packages`. Returns the layer directory. */
export async function writeFrameworkLayer(
  deploymentDir: string,
  framework: FixtureFramework,
): Promise<string> {
  const layerDir = path.join(deploymentDir, framework.installTarget);
  await writePackages(layerDir, framework.packages);
  await writeLayerConfig(layerDir, {
    layer_name: framework.installTarget.split("@")[0] ?? framework.installTarget,
    install_target: framework.installTarget,
    kind: "framework",
    runtime: framework.runtime,
    lower_layers: framework.lowerLayers,
  });
  return layerDir;
}

export interface FixtureApplication {
  /** `app-<name>`; also its install target. */
  layerName: string;
  runtime: string;
  /** Install targets in resolution order (frameworks, then the runtime). */
  lowerLayers: string[];
  /** Absolute path of the launch module source (outside the deployment). */
  launchModule: string;
  supportModules?: string[];
  packages?: readonly FixturePackage[];
}

/**
 * An application layer built the way the build does it: its packages, `layer.json` and
 * `installApplication`. Returns the path of its POSIX launcher.
 */
export async function writeApplicationLayer(
  deploymentDir: string,
  app: FixtureApplication,
  platform: TargetPlatform = HOST_PLATFORM,
): Promise<string> {
  const layerDir = path.join(deploymentDir, app.layerName);
  const name = app.layerName.replace(/^app-/, "");
  const spec: ApplicationSpec = {
    kind: "application",
    name,
    layerName: app.layerName,
    requirements: [],
    versioned: false,
    platforms: [platform],
    allowScripts: [],
    runtime: app.runtime,
    frameworks: [],
    frameworkOrder: [],
    launchModule: app.launchModule,
    supportModules: app.supportModules ?? [],
  };
  const config: LayerConfig = {
    layer_name: app.layerName,
    install_target: app.layerName,
    kind: "application",
    runtime: app.runtime,
    lower_layers: app.lowerLayers,
  };
  await writePackages(layerDir, app.packages ?? []);
  await writeLayerConfig(layerDir, config);
  await installApplication(layerDir, spec, config, platform);
  return path.join(layerDir, "bin", app.layerName);
}
