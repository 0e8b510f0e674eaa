/**
 * Reads an archive (tar, tar.gz, tar.xz, zip) as data, member by member: nothing is written
 * to disk, links are never followed, and hostile members are flagged in `problems`. Used by
 * `envstacks diff` and by tests.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { EnvstacksError } from "../errors.js";
import { xzDecompressed } from "./compress.js";
import type { ArchiveFormat } from "./formats.js";
import type { ArchiveMember } from "./member.js";
import { ByteBudget, type ReadLimits } from "./read-limits.js";
import { readTarMembers } from "./read-tar.js";
import { readZipMembers } from "./read-zip.js";

export type { ArchiveMember, ArchiveMemberType } from "./member.js";

export interface ReadArchiveOptions {
  /** Files up to this size come with their `content`; default 1 MiB. */
  maxContentBytes?: number;
  /** One member unpacking to more than this is an error; default: `maxTotalBytes`. */
  maxMemberBytes?: number;
  /** The archive unpacking to more than this in all is an error (zip bombs); default 4 GiB. */
  maxTotalBytes?: number;
}

export const DEFAULT_MAX_CONTENT_BYTES = 1024 ** 2;
export const DEFAULT_MAX_TOTAL_BYTES = 4 * 1024 ** 3;

/**
 * The members of the archive at `archivePath`, in stored order. The format is recognised
 * from the file's first bytes, whatever its name. Errors (unreadable archive, a limit
 * exceeded) are EnvstacksErrors naming the archive.
 */
export async function* readArchive(
  archivePath: string,
  options: ReadArchiveOptions = {},
): AsyncGenerator<ArchiveMember> {
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const limits: ReadLimits = {
    maxContentBytes: options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES,
    maxMemberBytes: options.maxMemberBytes ?? maxTotalBytes,
    maxTotalBytes,
  };
  const budget = new ByteBudget(archivePath, limits);
  const format = await sniffFormat(archivePath);
  try {
    if (format === "zip") {
      yield* readZipMembers(archivePath, budget, limits);
    } else {
      yield* readTarMembers(await tarStreamOf(archivePath, format), budget, limits);
    }
  } catch (error) {
    if (error instanceof EnvstacksError) throw error;
    throw new EnvstacksError(
      `${archivePath}: not a readable ${format} archive: ${(error as Error).message}`,
    );
  }
}

async function tarStreamOf(archivePath: string, format: ArchiveFormat): Promise<Readable> {
  if (format === "tar.xz") return xzDecompressed(archivePath);
  const file = createReadStream(archivePath);
  return format === "tar.gz" ? file.pipe(createGunzip()) : file;
}

const MAGIC: [ArchiveFormat, number[]][] = [
  ["tar.gz", [0x1f, 0x8b]],
  ["tar.xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zip", [0x50, 0x4b, 0x03, 0x04]],
  ["zip", [0x50, 0x4b, 0x05, 0x06]], // an empty zip: its end record alone
];

/** The format from the file's first bytes; anything else is read as a plain tar. */
async function sniffFormat(archivePath: string): Promise<ArchiveFormat> {
  const handle = await open(archivePath, "r").catch((error: NodeJS.ErrnoException) => {
    throw new EnvstacksError(`cannot read archive ${archivePath}: ${error.code ?? error.message}`);
  });
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const found = MAGIC.find(
      ([, magic]) => bytesRead >= magic.length && magic.every((byte, i) => head[i] === byte),
    );
    return found?.[0] ?? "tar";
  } finally {
    await handle.close();
  }
}
