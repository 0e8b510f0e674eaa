/**
 * Integrity-checked downloads into the content-addressed cache (cacache): a verified hit
 * costs no network, a corrupted entry is dropped, a download that does not match the
 * expected integrity leaves nothing behind.
 */
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import cacache from "cacache";
import npmFetch from "npm-registry-fetch";
import ssri from "ssri";
import { EnvstacksError } from "../errors.js";
import { hostOf, reasonOf } from "../lock/runtime-source.js";

/** One artifact to keep in the cache. */
export interface CacheItem {
  /** What users know it as, in messages: `esbuild@0.25.12`, `node-v22.14.0-linux-x64.tar.xz`. */
  label: string;
  url: string;
  /** SRI string the bytes must match. */
  integrity: string;
  /** cacache index key of our entry (the content itself is addressed by its digest). */
  key: string;
}

export interface DownloadCacheOptions {
  /** cacache directory. */
  cachePath: string;
  /** Serve from the cache alone; a miss is an error naming the artifact. */
  offline?: boolean;
  /** npm-registry-fetch options (auth, proxy, TLS, retries); `cache` and `integrity` are ours. */
  fetchOptions?: Readonly<Record<string, unknown>>;
}

/**
 * The path of a verified copy of the artifact inside the cache (read-only: it is the cache's
 * own file). Downloads on a miss; a corrupted cache entry is dropped and fetched again.
 */
export async function ensureCached(
  item: CacheItem,
  options: DownloadCacheOptions,
): Promise<string> {
  const cached = await verifiedEntryPath(item, options.cachePath);
  if (cached !== undefined) return cached;
  if (options.offline) throw notCachedError(item.label, options.cachePath);
  await dropCorruptContent(options.cachePath, item.integrity);
  await download(item, options);
  const stored = await cacache.get.info(options.cachePath, item.key);
  if (!stored) throw new Error(`cache entry ${item.key} vanished right after it was written`);
  return stored.path;
}

/** The cached file when its bytes match; a mismatching entry is removed. */
export async function verifiedEntryPath(
  item: Pick<CacheItem, "integrity" | "key">,
  cachePath: string,
): Promise<string | undefined> {
  const cached = await cacache.get.info(cachePath, item.key);
  if (!cached) return undefined;
  if (await fileMatches(cached.path, item.integrity)) return cached.path;
  await cacache.rm.entry(cachePath, item.key);
  await cacache.rm.content(cachePath, cached.integrity);
  return undefined;
}

/**
 * Removes damaged content stored under the digest without our index entry (written by
 * another tool, or left behind): cacache keeps existing content when the same digest is
 * written again, so a download would not replace it.
 */
async function dropCorruptContent(cachePath: string, integrity: string): Promise<void> {
  if (!(await cacache.get.hasContent(cachePath, integrity))) return;
  try {
    // Reading by digest verifies the bytes.
    await pipeline(
      cacache.get.stream.byDigest(cachePath, integrity),
      new Writable({ write: (_chunk, _encoding, done) => done() }),
    );
  } catch {
    await cacache.rm.content(cachePath, integrity);
  }
}

/** The error of an offline run that needs something the cache lacks. */
export function notCachedError(label: string, cachePath: string): EnvstacksError {
  return new EnvstacksError(
    `${label} is not in the cache at ${cachePath} and downloads are off (--offline)`,
  );
}

/** Whether the file's bytes match the SRI string (false when it cannot be read). */
async function fileMatches(file: string, integrity: string): Promise<boolean> {
  const expected = ssri.parse(integrity);
  try {
    const actual = await ssri.fromStream(createReadStream(file), {
      algorithms: [expected.pickAlgorithm()],
    });
    return expected.match(actual) !== false;
  } catch {
    return false;
  }
}

async function download(item: CacheItem, options: DownloadCacheOptions): Promise<void> {
  try {
    const response = await npmFetch(item.url, {
      ...options.fetchOptions,
      cache: undefined,
      integrity: undefined,
    });
    if (!response.body) throw new Error("empty response");
    // cacache checks the integrity while writing and keeps nothing on a mismatch.
    await pipeline(
      response.body,
      cacache.put.stream(options.cachePath, item.key, { integrity: item.integrity }),
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === "EINTEGRITY") {
      throw new EnvstacksError(
        `integrity check failed for ${item.label} downloaded from ${hostOf(item.url)}: ` +
          `expected ${item.integrity}`,
      );
    }
    throw new EnvstacksError(
      `could not download ${item.label} from ${hostOf(item.url)}: ${reasonOf(error)}`,
    );
  }
}
