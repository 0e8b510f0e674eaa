/**
 * The build-time side of runtime binaries: download a locked Node.js archive once into the
 * content-addressed cache and hand out only bytes that match the locked integrity.
 */
import { createReadStream } from "node:fs";
import ssri from "ssri";
import { EnvstacksError } from "../errors.js";
import { cacachePath, cacheDir } from "../fetch/cache-dir.js";
import { ensureCached } from "../fetch/download-cache.js";
import type { RegistryOptions } from "./runtime-source.js";
import type { RuntimeBinary } from "./types.js";

export interface RuntimeArchiveOptions {
  /** envstacks cache directory; default `ENVSTACKS_CACHE_DIR`, then a per-user directory. */
  cacheDir?: string;
  /** Serve from the cache alone; a miss is an error naming the artifact. */
  offline?: boolean;
  /** Registry access for the download (auth, proxy, retries); its `cache` is not used. */
  npm?: RegistryOptions;
}

/** Throws an error naming the artifact unless the bytes (or the file at a path) match. */
export async function verifyRuntimeArchive(
  binary: RuntimeBinary,
  content: Uint8Array | string,
): Promise<void> {
  const expected = ssri.parse(binary.integrity);
  const algorithms = [expected.pickAlgorithm()];
  const actual =
    typeof content === "string"
      ? await ssri.fromStream(createReadStream(content), { algorithms })
      : ssri.fromData(Buffer.from(content.buffer, content.byteOffset, content.byteLength), {
          algorithms,
        });
  if (!expected.match(actual)) {
    throw new EnvstacksError(
      `integrity check failed for ${binary.artifact} (${binary.url}): ` +
        `expected ${binary.integrity}, got ${actual.toString()}`,
    );
  }
}

/**
 * The path of a verified copy of the archive inside the cache (read-only: it is the
 * cache's own file). Downloads on a miss; a corrupted cache entry is dropped and fetched again.
 */
export function fetchRuntimeArchive(
  binary: RuntimeBinary,
  options: RuntimeArchiveOptions = {},
): Promise<string> {
  return ensureCached(
    {
      label: binary.artifact,
      url: binary.url,
      integrity: binary.integrity,
      // Keyed by content: the same archive from another mirror is the same cache entry.
      key: `envstacks:runtime-archive:${binary.integrity}`,
    },
    {
      cachePath: cacachePath(options.cacheDir ?? cacheDir()),
      offline: options.offline ?? false,
      fetchOptions: options.npm ?? {},
    },
  );
}
