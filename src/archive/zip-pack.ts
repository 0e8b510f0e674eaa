/**
 * A zip stream of source members that is the same on every machine: entries in the given
 * order, level 9 deflate (symlinks stored), Unix modes in the external attributes (symlinks
 * as mode 0120777 with the target as content, which Info-ZIP's unzip restores), no zip64
 * unless a size needs it, and one DOS timestamp written from the UTC fields of `mtime`.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import yazl from "yazl";
import type { SourceMember } from "./source-tree.js";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Streams the zip archive of `members` (in the given order); errors end the stream. */
export function packZip(members: readonly SourceMember[], mtime: Date): Readable {
  const zip = new yazl.ZipFile();
  // forceDosTimestamp: the DOS time alone, no extended timestamp (yazl puts that only in the
  // central directory, where unzip does not look for it).
  const common = { mtime: new DosUtcDate(mtime), forceDosTimestamp: true };
  for (const member of members) {
    if (member.kind === "directory") {
      zip.addEmptyDirectory(`${member.path}/`, { ...common, mode: S_IFDIR | member.mode });
    } else if (member.kind === "symlink") {
      zip.addBuffer(Buffer.from(member.target), member.path, {
        ...common,
        mode: S_IFLNK | member.mode,
        compress: false,
      });
    } else {
      const { source, size } = member;
      zip.addReadStreamLazy(
        member.path,
        { ...common, mode: S_IFREG | member.mode, compressionLevel: 9, size },
        // Opened only when yazl reaches the entry: one open file at a time.
        (callback) => callback(null, createReadStream(source)),
      );
    }
  }
  zip.end();
  // yazl's outputStream is a PassThrough; its types call it a NodeJS.ReadableStream.
  const output = zip.outputStream as Readable;
  zip.on("error", (error: Error) => output.destroy(error));
  return output;
}

/**
 * DOS dates start in 1980, and yazl clamps earlier times to 1980-01-01 in local time; a day
 * later is past that in every time zone, so earlier times are stored as this one everywhere.
 */
const EARLIEST_DOS_TIME = Date.UTC(1980, 0, 2);

/**
 * yazl encodes DOS times from a Date's local fields (getHours, …), so the bytes would depend
 * on TZ: this Date answers those with its UTC fields, the same everywhere (a Date shifted by
 * the UTC offset would not exist inside a DST gap). Readers take the DOS time as UTC.
 */
class DosUtcDate extends Date {
  constructor(date: Date) {
    super(Math.max(date.getTime(), EARLIEST_DOS_TIME));
  }
  override getFullYear(): number {
    return this.getUTCFullYear();
  }
  override getMonth(): number {
    return this.getUTCMonth();
  }
  override getDate(): number {
    return this.getUTCDate();
  }
  override getHours(): number {
    return this.getUTCHours();
  }
  override getMinutes(): number {
    return this.getUTCMinutes();
  }
  override getSeconds(): number {
    return this.getUTCSeconds();
  }
}
