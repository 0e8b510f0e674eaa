/**
 * Writes a layer directory as a bit-for-bit reproducible archive: the bytes depend only on
 * the tree's names, contents, exec bits and symlink targets, the given mtime and (for
 * compressed formats) the compressor's version — not on file times, owners, umask, TZ,
 * locale, directory listing order or the number of cores.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { availableParallelism } from "node:os";
import { type Duplex, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gzipStages, xzCompressor } from "./compress.js";
import type { ArchiveFormat } from "./formats.js";
import { wholeSecondsMtime } from "./mtime.js";
import { listSourceTree } from "./source-tree.js";
import { packTar } from "./tar-pack.js";
import { packZip } from "./zip-pack.js";

export interface WriteArchiveOptions {
  format: ArchiveFormat;
  /** Modification time of every member (see `archiveMtime`); cut to whole seconds. */
  mtime: Date;
  /** xz threads (output is the same for any count); default: the cores, at most 4. */
  threads?: number;
}

export interface WrittenArchive {
  /** Size of the archive file in bytes. */
  size: number;
  /** Hex SHA-256 of the archive file. */
  sha256: string;
}

/** More xz threads mostly cost memory (~100 MB each) for little gain on one archive. */
const MAX_DEFAULT_THREADS = 4;

/**
 * Writes the archive of `sourceDir` to `destination` (exactly that path: the caller picks
 * temp names and renames), every member under `topLevelName/`. Streams: memory does not grow
 * with the layer's size.
 */
export async function writeArchive(
  sourceDir: string,
  topLevelName: string,
  destination: string,
  options: WriteArchiveOptions,
): Promise<WrittenArchive> {
  const mtime = wholeSecondsMtime(options.mtime);
  const members = await listSourceTree(sourceDir, topLevelName);
  const compression = await compressionStages(options);
  const source = options.format === "zip" ? packZip(members, mtime) : packTar(members, mtime);
  const digest = new DigestStream();
  await pipeline([source, ...compression, digest, createWriteStream(destination)]);
  return { size: digest.size, sha256: digest.hash.digest("hex") };
}

function compressionStages(options: WriteArchiveOptions): Promise<Duplex[]> | Duplex[] {
  switch (options.format) {
    case "tar.gz":
      return gzipStages();
    case "tar.xz": {
      const threads = options.threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
      return xzCompressor(threads).then((xz) => [xz]);
    }
    default:
      return [];
  }
}

/** Passes bytes through, counting and hashing them. */
class DigestStream extends Transform {
  readonly hash = createHash("sha256");
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
}
