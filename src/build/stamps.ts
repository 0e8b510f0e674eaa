/**
 * Build stamps, `<buildDir>/.envstacks-build/<layer>.json`: what a layer's build depended
 * on. A layer whose current inputs give the recorded digest, and whose directory exists, is
 * up to date. Only small files are read to decide that: lock metadata, app modules, stamps.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { sha256Of, stableJson } from "../lock/hashes.js";
import type { ApplicationSpec, TargetPlatform } from "../spec/types.js";

/** Folder of the build dir holding the stamps; outside every layer, so never published. */
export const STAMPS_DIR_NAME = ".envstacks-build";

export interface BuildStampInputs {
  envstacks_version: string;
  platform: TargetPlatform;
  layer_name: string;
  install_target: string;
  /** From the layer's lock metadata: what its node_modules hold. */
  requirements_hash: string;
  lock_version: number;
  /** Runtime layers: the Node binary installed for `platform`. */
  runtime_binary: { artifact: string; integrity: string } | null;
  /** Applications: sha256 of each launch and support module file, by its path in `app/`. */
  app_modules: Record<string, string>;
  allow_scripts: string[];
  /** In resolution order; a rebuilt lower layer changes its digest, so this layer rebuilds. */
  lower_layers: { layer_name: string; install_target: string; digest: string }[];
}

export interface BuildStamp {
  digest: string;
  inputs: BuildStampInputs;
}

export function makeStamp(inputs: BuildStampInputs): BuildStamp {
  return { digest: sha256Of(stableJson(inputs)), inputs };
}

export function stampPath(buildDir: string, layerName: string): string {
  return path.join(buildDir, STAMPS_DIR_NAME, `${layerName}.json`);
}

/** The recorded stamp, or undefined when there is none or it cannot be read. */
export async function readStamp(
  buildDir: string,
  layerName: string,
): Promise<BuildStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(stampPath(buildDir, layerName), "utf8")) as BuildStamp;
    // A stamp edited by hand or written by another version must not claim to be current.
    if (typeof stamp.inputs !== "object" || makeStamp(stamp.inputs).digest !== stamp.digest) {
      return undefined;
    }
    return stamp;
  } catch {
    return undefined;
  }
}

export async function writeStamp(buildDir: string, stamp: BuildStamp): Promise<void> {
  await writeFileAtomic(stampPath(buildDir, stamp.inputs.layer_name), stableJson(stamp));
}

/** Why a layer must be rebuilt, as a short phrase; undefined when the inputs are the same. */
export function describeStampChange(
  previous: BuildStampInputs | undefined,
  current: BuildStampInputs,
): string | undefined {
  if (previous === undefined) return "not built yet";
  const same = (key: keyof BuildStampInputs) =>
    stableJson(previous[key]) === stableJson(current[key]);
  if (!same("envstacks_version")) return "envstacks version changed";
  if (!same("platform")) return "build platform changed";
  if (!same("requirements_hash") || !same("lock_version") || !same("install_target")) {
    return "lock changed";
  }
  if (!same("runtime_binary")) return "Node.js binary changed";
  if (!same("app_modules")) return "app modules changed";
  if (!same("allow_scripts")) return "allow_scripts changed";
  for (const lower of current.lower_layers) {
    const before = previous.lower_layers.find((l) => l.layer_name === lower.layer_name);
    if (before === undefined || stableJson(before) !== stableJson(lower)) {
      return `lower layer ${lower.layer_name} changed`;
    }
  }
  if (!same("lower_layers")) return "lower layers changed";
  return undefined;
}

/**
 * sha256 of the files an application layer copies into `app/`: the launch module (every
 * file below it when it is a directory, except `node_modules`) and the support modules. Only contents count, so
 * touching a file without changing it rebuilds nothing.
 */
export async function hashAppModules(app: ApplicationSpec): Promise<Record<string, string>> {
  const files: [string, string][] = [];
  const launchName = path.basename(app.launchModule);
  const below = await readdir(app.launchModule, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOTDIR") return undefined;
      throw error;
    },
  );
  if (below === undefined) {
    files.push([launchName, app.launchModule]);
  } else {
    for (const entry of below) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const relative = path.relative(app.launchModule, file).split(path.sep).join("/");
      // Not copied into the layer: the app's packages come from its lock.
      if (relative.split("/").includes("node_modules")) continue;
      files.push([`${launchName}/${relative}`, file]);
    }
  }
  for (const support of app.supportModules) files.push([path.basename(support), support]);
  const hashes = await Promise.all(
    files.map(async ([name, file]) => [name, await hashFile(file)] as const),
  );
  return Object.fromEntries(hashes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function hashFile(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}
