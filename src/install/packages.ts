/**
 * A layer's `node_modules` from its lock: every package for the target platform extracted
 * at its lock path, bin links where npm puts them, and only the allowed install scripts.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import binLinks from "bin-links";
import linkBin from "bin-links/lib/link-bin.js";
import shimBin from "bin-links/lib/shim-bin.js";
import pacote from "pacote";
import { EnvstacksError } from "../errors.js";
import { mapConcurrent } from "../fetch/concurrency.js";
import { DEFAULT_FETCH_CONCURRENCY, fetchPackages } from "../fetch/packages.js";
import type { NpmOptions } from "../lock/npm-config.js";
import { reasonOf } from "../lock/runtime-source.js";
import type { LockedPackage } from "../lock/types.js";
import type { TargetPlatform } from "../spec/types.js";
import { selectForPlatform } from "./platform.js";
import { runInstallScripts } from "./scripts.js";

export interface InstallPackagesOptions {
  platform: TargetPlatform;
  /** Package names whose install scripts may run (the spec's `allow_scripts`). */
  allowScripts: string[];
  /** Build from the download cache alone. */
  offline: boolean;
  npm: NpmOptions;
  /** The layer's runtime `bin/node`, first in PATH for install scripts. */
  nodeBinary?: string;
  log?: (message: string) => void;
  /** Downloads and extractions in flight at once. */
  concurrency?: number;
}

export interface InstallPackagesResult {
  /** Number of packages extracted into the layer. */
  installed: number;
  /** `name@version` of the locked packages left out for the target platform. */
  skippedForPlatform: string[];
}

/**
 * Replaces `<layerDir>/node_modules` with the locked packages that apply to the platform.
 * Each package is extracted as soon as its tarball is at hand and its parent package is in
 * place, so extraction overlaps the downloads still in flight.
 */
export async function installPackages(
  layerDir: string,
  packages: readonly LockedPackage[],
  options: InstallPackagesOptions,
): Promise<InstallPackagesResult> {
  const { install, skipped } = selectForPlatform(packages, options.platform);
  const concurrency = options.concurrency ?? DEFAULT_FETCH_CONCURRENCY;
  // Offline, every tarball is checked up front: the error names the first missing one in
  // lock order, before anything is written.
  if (options.offline) await fetchPackages(install, { npm: options.npm, offline: true });

  const nodeModules = path.join(layerDir, "node_modules");
  await rm(nodeModules, { recursive: true, force: true });
  await mkdir(nodeModules, { recursive: true });
  // pacote empties a package's directory before extracting into it: a package waits for
  // the package it is nested in. Shallow packages start first, so a waiting task only ever
  // waits on one already running.
  const ordered = byDepth(install);
  const extracted = new Map<string, Promise<void>>();
  await mapConcurrent(ordered, concurrency, (pkg) => {
    const parent = extracted.get(parentPackagePath(pkg.path, extracted));
    // A package whose parent failed fails too, without writing into its directory.
    const done = (parent ?? Promise.resolve()).then(() => fetchAndExtract(layerDir, pkg, options));
    extracted.set(pkg.path, done);
    return done;
  });
  await linkBins(layerDir, install, options.platform);
  await runInstallScripts(layerDir, install, options);
  return {
    installed: install.length,
    skippedForPlatform: skipped.map((p) => `${p.name}@${p.version}`),
  };
}

/**
 * Extracts straight from the cache when the tarball is there (pacote checks its integrity
 * while reading, so a warm cache costs one read per tarball, not two); on a miss or a damaged
 * entry, the download cache fetches it and the extraction is done again.
 */
async function fetchAndExtract(
  layerDir: string,
  pkg: LockedPackage,
  options: InstallPackagesOptions,
): Promise<void> {
  if (options.offline) return extract(layerDir, pkg, options.npm);
  try {
    return await extract(layerDir, pkg, options.npm);
  } catch {
    await fetchPackages([pkg], { npm: options.npm });
    return extract(layerDir, pkg, options.npm);
  }
}

/** The lock path of the package `packagePath` is nested in ("" at the top level). */
function parentPackagePath(packagePath: string, known: ReadonlyMap<string, unknown>): string {
  let at = packagePath.lastIndexOf("/node_modules/");
  while (at > 0) {
    const candidate = packagePath.slice(0, at);
    if (known.has(candidate)) return candidate;
    at = packagePath.lastIndexOf("/node_modules/", at - 1);
  }
  return "";
}

async function extract(layerDir: string, pkg: LockedPackage, npm: NpmOptions): Promise<void> {
  try {
    // pacote reads the tarball from the cache by its integrity, checks it again, and its tar
    // refuses links and paths leaving the package directory.
    await pacote.extract(pkg.resolved, path.join(layerDir, pkg.path), {
      ...npm.fetchOptions,
      cache: npm.cache,
      integrity: pkg.integrity,
      resolved: pkg.resolved,
      offline: true,
    });
  } catch (error) {
    throw new EnvstacksError(`could not extract ${pkg.name}@${pkg.version}: ${reasonOf(error)}`);
  }
}

/** Packages by nesting depth, shallowest first, in lock order within one depth. */
function byDepth(packages: readonly LockedPackage[]): LockedPackage[] {
  const depth = (pkg: LockedPackage) => pkg.path.split("node_modules/").length;
  return packages
    .map((pkg, index) => ({ pkg, index, depth: depth(pkg) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map(({ pkg }) => pkg);
}

/**
 * `node_modules/.bin/<name>` beside each package (the `.bin` of the node_modules holding it,
 * as npm does for nested packages): relative symlinks for POSIX targets, cmd/ps1/sh shims
 * for Windows targets. Later packages in lock order win a name both declare.
 */
async function linkBins(
  layerDir: string,
  packages: readonly LockedPackage[],
  platform: TargetPlatform,
): Promise<void> {
  const link = platform.startsWith("win32-") ? shimBin : linkBin;
  binLinks.resetSeen();
  for (const pkg of packages) {
    const packageDir = path.join(layerDir, pkg.path);
    const binDir = path.join(containingNodeModules(packageDir), ".bin");
    for (const [name, target] of Object.entries(pkg.bin ?? {})) {
      const safe = safeBin(name, target);
      if (safe === undefined) continue;
      const to = path.join(binDir, safe.name);
      const absFrom = path.join(packageDir, safe.target);
      await mkdir(binDir, { recursive: true });
      await link({
        path: packageDir,
        to,
        from: path.relative(binDir, absFrom),
        absFrom,
        force: true,
      });
    }
  }
}

/** The node_modules directory a package sits in (`@scope` directories skipped). */
function containingNodeModules(packageDir: string): string {
  const parent = path.dirname(packageDir);
  return path.basename(parent) === "node_modules" ? parent : path.dirname(parent);
}

/** A bin entry kept inside its package (npm-normalize-package-bin's rules), else undefined. */
function safeBin(name: string, target: string): { name: string; target: string } | undefined {
  const cleanName = path.posix.basename(name.replace(/\\/g, "/"));
  const cleanTarget = path.posix.join("/", target.replace(/\\/g, "/")).slice(1);
  if (!cleanName || cleanName === "." || cleanName === ".." || !cleanTarget) return undefined;
  return { name: cleanName, target: cleanTarget };
}
