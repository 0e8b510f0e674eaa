/**
 * The build-time side of runtime binaries: download a locked Node.js archive once into a
 * content-addressed cache and hand out only bytes that match the locked integrity.
 */
import { createReadStream } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import cacache from "cacache";
import npmFetch from "npm-registry-fetch";
import ssri from "ssri";
import { EnvstacksError } from "../errors.js";
import { hostOf, type RegistryOptions, reasonOf } from "./runtime-source.js";
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
export async function fetchRuntimeArchive(
  binary: RuntimeBinary,
  options: RuntimeArchiveOptions = {},
): Promise<string> {
  const cachePath = join(options.cacheDir ?? defaultCacheDir(), "_cacache");
  // Keyed by content: the same archive from another mirror is the same cache entry.
  const key = `envstacks:runtime-archive:${binary.integrity}`;
  const cached = await cacache.get.info(cachePath, key);
  if (cached) {
    try {
      await verifyRuntimeArchive(binary, cached.path);
      return cached.path;
    } catch {
      await cacache.rm.entry(cachePath, key);
      await cacache.rm.content(cachePath, cached.integrity);
    }
  }
  if (options.offline) {
    throw new EnvstacksError(
      `${binary.artifact} is not in the cache (${cachePath}) and downloads are off (--offline)`,
    );
  }
  await download(binary, cachePath, key, options.npm ?? {});
  const stored = await cacache.get.info(cachePath, key);
  if (!stored) throw new Error(`cache entry ${key} vanished right after it was written`);
  return stored.path;
}

async function download(
  binary: RuntimeBinary,
  cachePath: string,
  key: string,
  npm: RegistryOptions,
): Promise<void> {
  try {
    const response = await npmFetch(binary.url, { ...npm, cache: undefined, integrity: undefined });
    if (!response.body) throw new Error("empty response");
    // cacache checks the integrity while writing and keeps nothing on a mismatch.
    await pipeline(
      response.body,
      cacache.put.stream(cachePath, key, { integrity: binary.integrity }),
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === "EINTEGRITY") {
      throw new EnvstacksError(
        `integrity check failed for ${binary.artifact} downloaded from ${hostOf(binary.url)}: ` +
          `expected ${binary.integrity}`,
      );
    }
    throw new EnvstacksError(
      `could not download ${binary.artifact} from ${hostOf(binary.url)}: ${reasonOf(error)}`,
    );
  }
}

/** Per-user cache: ENVSTACKS_CACHE_DIR, else the platform's usual cache location. */
function defaultCacheDir(): string {
  const fromEnv = process.env.ENVSTACKS_CACHE_DIR;
  if (fromEnv) return fromEnv;
  if (process.platform === "win32") {
    return join(
      process.env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"),
      "envstacks",
      "Cache",
    );
  }
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "envstacks");
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "envstacks");
}
