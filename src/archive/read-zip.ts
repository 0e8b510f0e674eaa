/**
 * Members of a zip file, read with yauzl as data. yauzl's own name checks are off (they
 * throw): names are decoded here without rewriting backslashes, so hostile names reach the
 * member's `problems` instead.
 */
import yauzl from "yauzl";
import { type ArchiveMember, type ArchiveMemberType, memberProblems } from "./member.js";
import { type ByteBudget, type ReadLimits, readContent } from "./read-limits.js";

const MADE_BY_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MSDOS_DIRECTORY = 0x10;
/** A symlink's content is its target: a few KiB at most on any real system. */
const MAX_LINK_TARGET_BYTES = 64 * 1024;

export async function* readZipMembers(
  archivePath: string,
  budget: ByteBudget,
  limits: ReadLimits,
): AsyncGenerator<ArchiveMember> {
  const zip = await yauzl.openPromise(archivePath, {
    lazyEntries: true,
    autoClose: false,
    decodeStrings: false,
    validateEntrySizes: true,
  });
  try {
    for await (const entry of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        true,
      );
      const { type, mode, kind } = typeAndMode(entry, name);
      const member: ArchiveMember = {
        path: type === "directory" ? name.replace(/\/+$/, "") : name,
        type,
        mode,
        // DOS times carry no zone: taken as UTC, as envstacks writes them. An extended
        // timestamp field, when present, wins (yauzl reads it).
        mtime: entry.getLastModDate({ timezone: "UTC" }),
        size: 0,
        uid: 0,
        gid: 0,
        uname: "",
        gname: "",
        problems: [],
      };
      const extra: string[] = [];
      if (type === "file" || type === "symlink") {
        budget.checkMember(name, entry.uncompressedSize);
        budget.take(entry.uncompressedSize);
        if (!entry.canDecodeFileData()) {
          member.size = entry.uncompressedSize;
          extra.push(
            entry.isEncrypted()
              ? "is encrypted: content not read"
              : `uses compression method ${entry.compressionMethod}: content not read`,
          );
        } else if (type === "symlink" && entry.uncompressedSize > MAX_LINK_TARGET_BYTES) {
          member.size = entry.uncompressedSize;
          extra.push(`symlink target of ${entry.uncompressedSize} bytes: not read`);
        } else {
          const stream = await zip.openReadStreamPromise(entry);
          const keepUpTo = type === "symlink" ? MAX_LINK_TARGET_BYTES : limits.maxContentBytes;
          const read = await readContent(stream, keepUpTo);
          member.size = read.size;
          if (type === "symlink") {
            member.linkTarget = read.content?.toString("utf8") ?? "";
          } else {
            member.sha256 = read.sha256;
            if (read.content) member.content = read.content;
          }
        }
      }
      member.problems = [...memberProblems(member, kind), ...extra];
      yield member;
    }
  } finally {
    zip.close();
  }
}

/** Type and permission bits from Unix attributes when the zip has them, else from the name. */
function typeAndMode(
  entry: yauzl.Entry,
  name: string,
): { type: ArchiveMemberType; mode: number; kind?: string } {
  const unixMode =
    entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
  const looksLikeDirectory =
    name.endsWith("/") || (entry.externalFileAttributes & MSDOS_DIRECTORY) !== 0;
  const fileType = unixMode & S_IFMT;
  let type: ArchiveMemberType;
  if (fileType === S_IFLNK) type = "symlink";
  else if (fileType === S_IFDIR) type = "directory";
  else if (fileType === S_IFREG) type = "file";
  else if (fileType === 0) type = looksLikeDirectory ? "directory" : "file";
  else
    return {
      type: "other",
      mode: unixMode & 0o7777,
      kind: `entry of Unix type 0o${fileType.toString(8)}`,
    };
  const permissions = unixMode & 0o7777;
  if (permissions !== 0 || fileType !== 0) return { type, mode: permissions };
  return { type, mode: type === "directory" ? 0o755 : 0o644 };
}
