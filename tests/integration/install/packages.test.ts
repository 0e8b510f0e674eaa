/**
 * installPackages with the real registry: the sample project's framework-tools lock
 * (esbuild with its platform-specific binaries), through the shared download cache.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import cacache from "cacache";
import { describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import { packageCacheKey } from "../../../src/fetch/packages.js";
import { installPackages } from "../../../src/install/packages.js";
import { parsePackageLock } from "../../../src/lock/lock-files.js";
import { loadNpmOptions, type NpmOptions } from "../../../src/lock/npm-config.js";
import type { LockedPackage } from "../../../src/lock/types.js";
import { TARGET_PLATFORMS, type TargetPlatform } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const TOOLS_LOCK = path.join(REPO, "sample_project/requirements/framework-tools/package-lock.json");
const ESBUILD_VERSION = "0.25.12";

const tempDir = useTempDir();

/** The host as a target platform: the installed esbuild must run here. */
function hostPlatform(): TargetPlatform {
  const host = TARGET_PLATFORMS.find((p) => p === `${process.platform}-${process.arch}`);
  if (host === undefined) throw new Error(`no envstacks platform for this host`);
  return host;
}

async function toolsLock(): Promise<LockedPackage[]> {
  return parsePackageLock(await readFile(TOOLS_LOCK, "utf8"));
}

/** npm options with the shared test cache (ENVSTACKS_CACHE_DIR) or a private one. */
function npmOptions(cache?: string): Promise<NpmOptions> {
  return loadNpmOptions(tempDir(), cache === undefined ? {} : { cache });
}

/** Every file, directory and link below `dir`: type, mode, size, content hash, link target. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines: string[] = [];
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    const info = await lstat(full);
    const rel = path.relative(dir, full).split(path.sep).join("/");
    const mode = (info.mode & 0o777).toString(8);
    if (info.isSymbolicLink()) lines.push(`link ${rel} -> ${await readlink(full)}`);
    else if (info.isDirectory()) lines.push(`dir ${rel} ${mode}`);
    else {
      const hash = createHash("sha256")
        .update(await readFile(full))
        .digest("hex");
      lines.push(`file ${rel} ${mode} ${info.size} ${hash}`);
    }
  }
  return lines.sort();
}

async function runEsbuild(layerDir: string): Promise<string> {
  const run = promisify(execFile);
  if (process.platform === "win32") {
    // Windows targets get cmd shims: run the JS entry they point to with the test's node.
    const bin = path.join(layerDir, "node_modules/esbuild/bin/esbuild");
    return (await run(process.execPath, [bin, "--version"])).stdout.trim();
  }
  // The bin link, as a user runs it; its `#!/usr/bin/env node` finds the test's node first.
  const PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  const bin = path.join(layerDir, "node_modules/.bin/esbuild");
  return (await run(bin, ["--version"], { env: { ...process.env, PATH } })).stdout.trim();
}

describe("installPackages", () => {
  test("installs exactly the host's esbuild binary package, with a working bin link", {
    tags: ["slow"],
  }, async () => {
    const platform = hostPlatform();
    const layerDir = path.join(tempDir(), "framework-tools");
    const lock = await toolsLock();
    const result = await installPackages(layerDir, lock, {
      platform,
      allowScripts: [],
      offline: false,
      npm: await npmOptions(),
    });

    expect(result.installed).toBe(2);
    expect(result.skippedForPlatform).toHaveLength(lock.length - 2);
    expect(result.skippedForPlatform).not.toContain(`@esbuild/${platform}@${ESBUILD_VERSION}`);
    expect(await readdir(path.join(layerDir, "node_modules/@esbuild"))).toEqual([platform]);
    expect((await readdir(path.join(layerDir, "node_modules"))).sort()).toEqual([
      ".bin",
      "@esbuild",
      "esbuild",
    ]);
    if (platform.startsWith("win32-")) {
      const bins = await readdir(path.join(layerDir, "node_modules/.bin"));
      expect(bins).toContain("esbuild.cmd");
    } else {
      expect(await readlink(path.join(layerDir, "node_modules/.bin/esbuild"))).toBe(
        path.join("..", "esbuild", "bin", "esbuild"),
      );
    }
    expect(await runEsbuild(layerDir)).toBe(ESBUILD_VERSION);
  });

  test("installing twice, or elsewhere, gives identical trees; offline from the warm cache too", {
    tags: ["slow"],
  }, async () => {
    const options = {
      platform: hostPlatform(),
      allowScripts: [],
      offline: false,
      npm: await npmOptions(),
    };
    const lock = await toolsLock();
    const first = path.join(tempDir(), "first");
    const second = path.join(tempDir(), "second");
    await installPackages(first, lock, options);
    const once = await snapshot(first);
    await installPackages(first, lock, options);
    expect(await snapshot(first)).toEqual(once);
    await installPackages(second, lock, { ...options, offline: true });
    expect(await snapshot(second)).toEqual(once);
  });

  test("offline with an empty cache names the first missing package and installs nothing", {
    tags: ["slow"],
  }, async () => {
    const platform = hostPlatform();
    const cache = path.join(tempDir(), "empty-cache", "_cacache");
    const layerDir = path.join(tempDir(), "layer");
    const installing = installPackages(layerDir, await toolsLock(), {
      platform,
      allowScripts: [],
      offline: true,
      npm: await npmOptions(cache),
    });
    await expect(installing).rejects.toThrow(EnvstacksError);
    await expect(installing).rejects.toThrow(
      `@esbuild/${platform}@${ESBUILD_VERSION} is not in the cache at ${cache} ` +
        "and downloads are off (--offline)",
    );
    await expect(lstat(layerDir)).rejects.toThrow("ENOENT");
  });

  test("a tampered cached tarball is fetched again", { tags: ["slow"] }, async () => {
    // A private cache: tampering with the shared one would disturb parallel tests.
    const cache = path.join(tempDir(), "cache", "_cacache");
    const npm = await npmOptions(cache);
    const esbuild = (await toolsLock()).filter((p) => p.name === "esbuild");
    const options = { platform: hostPlatform(), allowScripts: [], offline: false, npm };
    const clean = path.join(tempDir(), "clean");
    await installPackages(clean, esbuild, options);

    const [pkg] = esbuild;
    if (!pkg) throw new Error("esbuild is not in the framework-tools lock");
    const entry = await cacache.get.info(cache, packageCacheKey(pkg.integrity));
    if (!entry) throw new Error("the tarball was not cached under its integrity");
    await writeFile(entry.path, "not a tarball");

    // Offline, the damaged entry is as good as missing.
    await expect(
      installPackages(path.join(tempDir(), "offline"), esbuild, { ...options, offline: true }),
    ).rejects.toThrow(`esbuild@${ESBUILD_VERSION} is not in the cache at ${cache}`);

    await writeFile(entry.path, "not a tarball");
    const refetched = path.join(tempDir(), "refetched");
    await installPackages(refetched, esbuild, options);
    expect(await snapshot(refetched)).toEqual(await snapshot(clean));
  });

  test("esbuild's postinstall runs only when allowed", { tags: ["slow"] }, async () => {
    const lock = await toolsLock();
    const base = { platform: hostPlatform(), offline: false, npm: await npmOptions() };
    const logs: string[] = [];
    const notAllowed = path.join(tempDir(), "not-allowed");
    await installPackages(notAllowed, lock, {
      ...base,
      allowScripts: [],
      log: (m) => logs.push(m),
    });
    const shim = await readFile(path.join(notAllowed, "node_modules/esbuild/bin/esbuild"));
    expect(shim.subarray(0, 2).toString()).toBe("#!");
    expect(logs).toContain(
      `esbuild@${ESBUILD_VERSION}: install scripts not run (not in allow_scripts)`,
    );

    const allowed = path.join(tempDir(), "allowed");
    await installPackages(allowed, lock, {
      ...base,
      allowScripts: ["esbuild"],
      nodeBinary: process.execPath,
    });
    // On POSIX, esbuild's install.js swaps its JS shim for the native binary.
    const afterScript = await readFile(path.join(allowed, "node_modules/esbuild/bin/esbuild"));
    if (process.platform === "win32") expect(afterScript).toEqual(shim);
    else expect(afterScript.subarray(0, 2).toString()).not.toBe("#!");
    expect(await runEsbuild(allowed)).toBe(ESBUILD_VERSION);
  });
});
