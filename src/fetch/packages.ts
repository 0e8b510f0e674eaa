/**
 * Making sure the tarballs of locked packages are in the download cache, verified against
 * their locked sha512 integrity, before anything is installed.
 */

import type { NpmOptions } from "../lock/npm-config.js";
import type { LockedPackage } from "../lock/types.js";
import { mapConcurrent } from "./concurrency.js";
import { ensureCached, notCachedError, verifiedEntryPath } from "./download-cache.js";

export const DEFAULT_FETCH_CONCURRENCY = 8;

export interface FetchPackagesOptions {
  /** Registry access and the cacache directory (`npm.cache`). */
  npm: NpmOptions;
  /** Use the cache alone: the first package missing from it is an error. */
  offline?: boolean;
  /** Downloads in flight at once. */
  concurrency?: number;
}

type FetchedPackage = Pick<LockedPackage, "name" | "version" | "resolved" | "integrity">;

/**
 * Downloads every package tarball that the cache lacks; a cached tarball whose bytes no
 * longer match is dropped and downloaded again. Nothing is returned: readers (pacote) find
 * the tarballs by their integrity and check it again on every read.
 */
export async function fetchPackages(
  packages: readonly FetchedPackage[],
  options: FetchPackagesOptions,
): Promise<void> {
  const cachePath = options.npm.cache;
  if (options.offline) {
    // Checked in lock order, so the error names the first missing package.
    for (const pkg of packages) {
      if ((await verifiedEntryPath(cacheItem(pkg), cachePath)) === undefined) {
        throw notCachedError(`${pkg.name}@${pkg.version}`, cachePath);
      }
    }
    return;
  }
  await mapConcurrent(packages, options.concurrency ?? DEFAULT_FETCH_CONCURRENCY, (pkg) =>
    ensureCached(cacheItem(pkg), { cachePath, fetchOptions: options.npm.fetchOptions }),
  );
}

function cacheItem(pkg: FetchedPackage) {
  return {
    label: `${pkg.name}@${pkg.version}`,
    url: pkg.resolved,
    integrity: pkg.integrity,
    key: packageCacheKey(pkg.integrity),
  };
}

/** Our index key of a package tarball: by content, whatever registry served it. */
export function packageCacheKey(integrity: string): string {
  return `envstacks:package-tarball:${integrity}`;
}
