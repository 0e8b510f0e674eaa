/**
 * installRuntime: the sample's locked node-<os>-<arch>@22.14.0 from the real registry, and
 * nodejs.org-style archives (.tar.xz, .zip) made by the test and served from a loopback
 * mirror (this machine cannot reach nodejs.org).
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ssri from "ssri";
import { afterEach, describe, expect, test } from "vitest";
import yazl from "yazl";
import { EnvstacksError } from "../../../src/errors.js";
import { installRuntime } from "../../../src/install/runtime.js";
import { parseLockMeta } from "../../../src/lock/meta.js";
import type { RuntimeBinary } from "../../../src/lock/types.js";
import { type DistMirror, startDistMirror } from "../../helpers/dist-mirror.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const NODE_22_META = path.join(REPO, "sample_project/requirements/node-22/lock-meta.json");
const run = promisify(execFile);

const tempDir = useTempDir();
const mirrors: DistMirror[] = [];
afterEach(async () => {
  for (const mirror of mirrors.splice(0)) await mirror.close();
});

async function lockedBinaries(): Promise<RuntimeBinary[]> {
  return parseLockMeta(await readFile(NODE_22_META, "utf8")).runtime_binaries ?? [];
}

describe("installRuntime from the npm registry", () => {
  test("node-<os>-<arch>@22.14.0 unpacks to bin/node and LICENSE and runs", {
    tags: ["slow"],
  }, async () => {
    const binaries = await lockedBinaries();
    const host = `${process.platform}-${process.arch}`;
    // The host's binary when the lock has one, so it can run; else Linux x64's layout alone.
    const binary =
      binaries.find((b) => b.platform === host) ?? binaries.find((b) => b.platform === "linux-x64");
    if (!binary) throw new Error("the sample lock has no linux-x64 runtime binary");
    const layerDir = path.join(tempDir(), "node-22");
    const cacheDir = process.env.ENVSTACKS_CACHE_DIR;

    const { nodeBinary } = await installRuntime(layerDir, binary, { cacheDir });
    const exe = binary.platform.startsWith("win32-") ? "node.exe" : "node";
    expect(nodeBinary).toBe(path.join(layerDir, "bin", exe));
    expect((await readdir(layerDir)).sort()).toEqual(["LICENSE", "bin"]);
    expect(await readdir(path.join(layerDir, "bin"))).toEqual([exe]);
    expect(await readFile(path.join(layerDir, "LICENSE"), "utf8")).toContain("Node.js");
    if (process.platform !== "win32") {
      expect((await stat(nodeBinary)).mode & 0o111).toBe(0o111);
    }
    if (binary.platform === host) {
      expect((await run(nodeBinary, ["--version"])).stdout.trim()).toBe("v22.14.0");
    }

    // Again, offline: from the cache, same result.
    await installRuntime(layerDir, binary, { cacheDir, offline: true });
    expect((await readdir(layerDir)).sort()).toEqual(["LICENSE", "bin"]);
  });
});

/** A fake `node` for the dist archives: a shell script printing the version. */
const FAKE_NODE = "#!/bin/sh\necho v22.14.0\n";

async function distTarXz(): Promise<Buffer> {
  const root = path.join(tempDir(), "src", "node-v22.14.0-linux-x64");
  await mkdir(path.join(root, "bin"), { recursive: true });
  await mkdir(path.join(root, "include", "node"), { recursive: true });
  await mkdir(path.join(root, "lib", "node_modules", "npm", "bin"), { recursive: true });
  await writeFile(path.join(root, "bin", "node"), FAKE_NODE);
  await chmod(path.join(root, "bin", "node"), 0o755);
  await writeFile(path.join(root, "LICENSE"), "Node.js is licensed for use as follows");
  await writeFile(path.join(root, "include", "node", "node.h"), "/* header */");
  await writeFile(path.join(root, "lib", "node_modules", "npm", "bin", "npm-cli.js"), "");
  await symlink("../lib/node_modules/npm/bin/npm-cli.js", path.join(root, "bin", "npm"));
  const archive = path.join(tempDir(), "node-v22.14.0-linux-x64.tar.xz");
  await run("tar", ["-cJf", archive, "-C", path.dirname(root), path.basename(root)]);
  return readFile(archive);
}

async function distZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const top = "node-v22.14.0-win-x64";
  zip.addBuffer(Buffer.from("MZ fake node.exe"), `${top}/node.exe`, { mode: 0o100755 });
  zip.addBuffer(Buffer.from("Node.js is licensed for use as follows"), `${top}/LICENSE`);
  zip.addBuffer(Buffer.from("@echo off"), `${top}/npm.cmd`);
  zip.addBuffer(Buffer.from(""), `${top}/node_modules/npm/package.json`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function servedBinary(
  platform: RuntimeBinary["platform"],
  artifact: string,
  bytes: Buffer,
): Promise<RuntimeBinary> {
  const mirror = await startDistMirror({ [`/v22.14.0/${artifact}`]: bytes });
  mirrors.push(mirror);
  return {
    platform,
    source: "nodejs-dist",
    artifact,
    url: `${mirror.url}/v22.14.0/${artifact}`,
    integrity: ssri.fromData(bytes, { algorithms: ["sha256"] }).toString(),
  };
}

describe("installRuntime from nodejs.org archives", () => {
  test("a .tar.xz keeps bin/node (executable) and LICENSE, nothing else", async () => {
    const binary = await servedBinary(
      "linux-x64",
      "node-v22.14.0-linux-x64.tar.xz",
      await distTarXz(),
    );
    const layerDir = path.join(tempDir(), "node-22");
    const cacheDir = path.join(tempDir(), "cache");
    const { nodeBinary } = await installRuntime(layerDir, binary, { cacheDir });

    expect((await readdir(layerDir)).sort()).toEqual(["LICENSE", "bin"]);
    expect(await readdir(path.join(layerDir, "bin"))).toEqual(["node"]);
    expect(await readFile(nodeBinary, "utf8")).toBe(FAKE_NODE);
    expect((await stat(nodeBinary)).mode & 0o777).toBe(0o755);
    if (process.platform !== "win32") {
      expect((await run(nodeBinary, ["--version"])).stdout.trim()).toBe("v22.14.0");
    }
  });

  test("a Windows .zip gives bin/node.exe and LICENSE", async () => {
    const binary = await servedBinary("win32-x64", "node-v22.14.0-win-x64.zip", await distZip());
    const layerDir = path.join(tempDir(), "node-22");
    const { nodeBinary } = await installRuntime(layerDir, binary, {
      cacheDir: path.join(tempDir(), "cache"),
    });
    expect(nodeBinary).toBe(path.join(layerDir, "bin", "node.exe"));
    expect((await readdir(layerDir)).sort()).toEqual(["LICENSE", "bin"]);
    expect(await readdir(path.join(layerDir, "bin"))).toEqual(["node.exe"]);
    expect(await readFile(nodeBinary, "utf8")).toBe("MZ fake node.exe");
  });

  test("offline with an empty cache names the archive; a bad download installs nothing", async () => {
    const bytes = await distTarXz();
    const binary = await servedBinary("linux-x64", "node-v22.14.0-linux-x64.tar.xz", bytes);
    const layerDir = path.join(tempDir(), "node-22");
    const cacheDir = path.join(tempDir(), "cache");

    const offline = installRuntime(layerDir, binary, { cacheDir, offline: true });
    await expect(offline).rejects.toThrow(EnvstacksError);
    await expect(offline).rejects.toThrow(
      `node-v22.14.0-linux-x64.tar.xz is not in the cache at ${path.join(cacheDir, "_cacache")}`,
    );

    const wrong = {
      ...binary,
      integrity: ssri.fromData("other", { algorithms: ["sha256"] }).toString(),
    };
    await expect(installRuntime(layerDir, wrong, { cacheDir })).rejects.toThrow(
      "integrity check failed for node-v22.14.0-linux-x64.tar.xz",
    );
    await expect(readdir(layerDir)).rejects.toThrow("ENOENT");
  });
});
