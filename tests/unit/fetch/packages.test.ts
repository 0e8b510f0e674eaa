/**
 * fetchPackages against a temp cache and, for faults only, a loopback server standing in
 * for the registry.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import cacache from "cacache";
import ssri from "ssri";
import { afterEach, describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import { fetchPackages, packageCacheKey } from "../../../src/fetch/packages.js";
import type { NpmOptions } from "../../../src/lock/npm-config.js";
import { type DistMirror, startDistMirror } from "../../helpers/dist-mirror.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const mirrors: DistMirror[] = [];
afterEach(async () => {
  for (const mirror of mirrors.splice(0)) await mirror.close();
});

interface FakePackage {
  name: string;
  version: string;
  resolved: string;
  integrity: string;
  bytes: Buffer;
}

function fakePackage(name: string, base = "http://127.0.0.1:9"): FakePackage {
  const bytes = Buffer.from(`tarball of ${name}`);
  return {
    name,
    version: "1.0.0",
    resolved: `${base}/${name}/-/${name}-1.0.0.tgz`,
    integrity: ssri.fromData(bytes, { algorithms: ["sha512"] }).toString(),
    bytes,
  };
}

function npmOptions(registry = "http://127.0.0.1:9/"): NpmOptions {
  const cache = path.join(tempDir(), "_cacache");
  return { registry, cache, fetchOptions: { registry, retry: { retries: 0 } } };
}

async function seed(npm: NpmOptions, pkg: FakePackage): Promise<void> {
  await cacache.put(npm.cache, packageCacheKey(pkg.integrity), pkg.bytes, {
    integrity: pkg.integrity,
  });
}

async function cachedBytes(npm: NpmOptions, pkg: FakePackage): Promise<Buffer | undefined> {
  const info = await cacache.get.info(npm.cache, packageCacheKey(pkg.integrity));
  return info ? readFile(info.path) : undefined;
}

describe("fetchPackages offline", () => {
  test("names the first package missing from the cache and the cache dir", async () => {
    const npm = npmOptions();
    const [a, b, c] = [fakePackage("a"), fakePackage("@scope/b"), fakePackage("c")];
    await seed(npm, a);
    const fetching = fetchPackages([a, b, c], { npm, offline: true });
    await expect(fetching).rejects.toThrow(EnvstacksError);
    await expect(fetching).rejects.toThrow(
      `@scope/b@1.0.0 is not in the cache at ${npm.cache} and downloads are off (--offline)`,
    );
  });

  test("succeeds without network when every tarball is cached", async () => {
    const npm = npmOptions();
    const packages = [fakePackage("a"), fakePackage("b")];
    for (const pkg of packages) await seed(npm, pkg);
    await expect(fetchPackages(packages, { npm, offline: true })).resolves.toBeUndefined();
  });

  test("a corrupted cache entry is dropped and named", async () => {
    const npm = npmOptions();
    const a = fakePackage("a");
    await seed(npm, a);
    const info = await cacache.get.info(npm.cache, packageCacheKey(a.integrity));
    if (!info) throw new Error("seeding failed");
    await writeFile(info.path, "tampered");

    await expect(fetchPackages([a], { npm, offline: true })).rejects.toThrow(
      "a@1.0.0 is not in the cache",
    );
    expect(await cacache.get.info(npm.cache, packageCacheKey(a.integrity))).toBeNull();
  });
});

describe("fetchPackages from a faulty registry", () => {
  test("a tarball that does not match its locked integrity is an error naming it", async () => {
    const mirror = await startDistMirror();
    mirrors.push(mirror);
    const good = fakePackage("good", mirror.url);
    const bad = fakePackage("bad", mirror.url);
    mirror.files.set(new URL(good.resolved).pathname, good.bytes);
    mirror.files.set(new URL(bad.resolved).pathname, Buffer.from("something else"));
    const npm = npmOptions(`${mirror.url}/`);

    await expect(fetchPackages([good, bad], { npm })).rejects.toThrow(
      `integrity check failed for bad@1.0.0 downloaded from ${new URL(mirror.url).host}: ` +
        `expected ${bad.integrity}`,
    );
    expect(await cachedBytes(npm, bad)).toBeUndefined();
  });

  test("a download failure names the package and the host", async () => {
    const mirror = await startDistMirror();
    mirrors.push(mirror);
    const missing = fakePackage("missing", mirror.url);
    const npm = npmOptions(`${mirror.url}/`);
    await expect(fetchPackages([missing], { npm })).rejects.toThrow(
      `could not download missing@1.0.0 from ${new URL(mirror.url).host}`,
    );
  });

  test("a corrupted cache entry is fetched again", async () => {
    const mirror = await startDistMirror();
    mirrors.push(mirror);
    const a = fakePackage("a", mirror.url);
    mirror.files.set(new URL(a.resolved).pathname, a.bytes);
    const npm = npmOptions(`${mirror.url}/`);
    await seed(npm, a);
    const info = await cacache.get.info(npm.cache, packageCacheKey(a.integrity));
    if (!info) throw new Error("seeding failed");
    await writeFile(info.path, "tampered");

    await fetchPackages([a], { npm });
    expect(await cachedBytes(npm, a)).toEqual(a.bytes);
    expect(mirror.requests).toEqual([new URL(a.resolved).pathname]);
  });
});
