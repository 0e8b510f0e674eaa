/**
 * The committed lock files of one layer, `requirements/<layer>/`: the inputs as an npm
 * manifest, the own packages as an npm v3 package-lock (so `npm audit` can read it) and a
 * human-readable package list. Every renderer returns deterministic bytes.
 */

import { join } from "node:path";
import semver from "semver";
import type { Requirement } from "../spec/types.js";
import { stableJson } from "./hashes.js";
import type { InheritedPackage, LockedPackage } from "./types.js";

export interface LayerLockPaths {
  dir: string;
  manifest: string;
  packageLock: string;
  meta: string;
  packagesList: string;
}

export function layerLockPaths(dir: string, layerName: string): LayerLockPaths {
  return {
    dir,
    manifest: join(dir, "package.json"),
    packageLock: join(dir, "package-lock.json"),
    meta: join(dir, "lock-meta.json"),
    packagesList: join(dir, `packages-${layerName}.txt`),
  };
}

/** Layer names are already lowercase `[a-z0-9][a-z0-9._-]*`; this keeps npm happy regardless. */
export function npmPackageName(layerName: string): string {
  const name = layerName
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, "-")
    .replace(/^[._]+/, "");
  return (name || "layer").slice(0, 214);
}

const LOCK_VERSION = "0.0.0";

function directDependencies(requirements: Requirement[]): Record<string, string> {
  return Object.fromEntries(requirements.map((r) => [r.name, r.range]));
}

/** `package.json`: the layer's declared inputs. */
export function renderInputsManifest(layerName: string, requirements: Requirement[]): string {
  return stableJson({
    name: npmPackageName(layerName),
    version: LOCK_VERSION,
    private: true,
    description: `envstacks lock inputs for ${layerName}`,
    dependencies: directDependencies(requirements),
  });
}

/** `package-lock.json` (lockfileVersion 3) holding the layer's own packages only. */
export function renderPackageLock(
  layerName: string,
  requirements: Requirement[],
  own: LockedPackage[],
): string {
  const packages: Record<string, unknown> = {
    "": {
      name: npmPackageName(layerName),
      version: LOCK_VERSION,
      dependencies: directDependencies(requirements),
    },
  };
  for (const pkg of own) {
    const { path, name, ...entry } = pkg;
    packages[path] = name === nameFromPath(path) ? entry : { name, ...entry };
  }
  return stableJson({
    name: npmPackageName(layerName),
    version: LOCK_VERSION,
    lockfileVersion: 3,
    requires: true,
    packages,
  });
}

function nameFromPath(path: string): string {
  const at = path.lastIndexOf("node_modules/");
  return at < 0 ? path : path.slice(at + "node_modules/".length);
}

/** Reads back the own packages of a package-lock.json written by `renderPackageLock`. */
export function parsePackageLock(text: string): LockedPackage[] {
  const lock = JSON.parse(text) as { packages?: Record<string, Omit<LockedPackage, "path">> };
  return Object.entries(lock.packages ?? {})
    .filter(([path]) => path !== "")
    .map(([path, entry]) => ({ ...entry, path, name: entry.name ?? nameFromPath(path) }));
}

export const INHERITED_HEADER = "# Shared packages inherited from other layers";

/** `packages-<layer>.txt`: own `name==version` lines, then the inherited ones with their layer. */
export function renderPackagesList(own: LockedPackage[], inherited: InheritedPackage[]): string {
  const ownLines = uniqueSortedLines(own, (p) => `${p.name}==${p.version}`);
  const inheritedLines = uniqueSortedLines(
    inherited,
    (p) => `${p.name}==${p.version}  # ${p.layer}`,
  );
  return `${[...ownLines, INHERITED_HEADER, ...inheritedLines].join("\n")}\n`;
}

/** One line per distinct package, ordered by name then version (not by the whole line). */
function uniqueSortedLines<T extends { name: string; version: string }>(
  packages: readonly T[],
  line: (pkg: T) => string,
): string[] {
  const sorted = [...packages].sort(
    (a, b) => compareText(a.name, b.name) || semver.compare(a.version, b.version),
  );
  return [...new Set(sorted.map(line))];
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
