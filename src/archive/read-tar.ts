/** Members of a tar stream (already decompressed), read with tar-stream as data. */
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tarStream from "tar-stream";
import { type ArchiveMember, type ArchiveMemberType, memberProblems } from "./member.js";
import { type ByteBudget, type ReadLimits, readContent } from "./read-limits.js";

/** tar-stream's header; its types leave out the pax records it attaches. */
type TarHeader = Omit<tarStream.Header, "type" | "pax"> & {
  /** null for a type flag tar-stream does not know. */
  type: tarStream.Header["type"] | null;
  pax?: Record<string, string> | null;
};

export async function* readTarMembers(
  tar: Readable,
  budget: ByteBudget,
  limits: ReadLimits,
): AsyncGenerator<ArchiveMember> {
  const extract = tarStream.extract();
  // Every byte of the tar stream counts, headers included: an endless stream of empty
  // members stops too. A failure here ends the loop below with the same error.
  const feeding = pipeline(tar, budget.counter(), extract);
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const header = entry.header as TarHeader;
      const type = memberType(header.type);
      budget.checkMember(header.name, header.size ?? 0);
      const member: ArchiveMember = {
        path: type === "directory" ? header.name.replace(/\/+$/, "") : header.name,
        type,
        mode: (header.mode ?? 0) & 0o7777,
        mtime: paxTime(header.pax?.mtime) ?? header.mtime ?? new Date(0),
        size: 0,
        uid: paxNumber(header.pax?.uid) ?? header.uid ?? 0,
        gid: paxNumber(header.pax?.gid) ?? header.gid ?? 0,
        uname: header.pax?.uname ?? header.uname ?? "",
        gname: header.pax?.gname ?? header.gname ?? "",
        problems: [],
      };
      if ((type === "symlink" || type === "hardlink") && header.linkname != null) {
        member.linkTarget = header.linkname;
      }
      if (type === "file") {
        // A streamx stream: async-iterable, though its types leave that out.
        const content = entry as unknown as AsyncIterable<Buffer>;
        const read = await readContent(content, limits.maxContentBytes);
        member.size = read.size;
        member.sha256 = read.sha256;
        if (read.content) member.content = read.content;
      } else {
        entry.resume();
      }
      member.problems = memberProblems(member, header.type ?? "member of unknown type");
      yield member;
    }
    await feeding;
  } finally {
    extract.destroy();
    tar.destroy();
  }
}

function memberType(type: TarHeader["type"]): ArchiveMemberType {
  switch (type) {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "directory";
    case "symlink":
      return "symlink";
    case "link":
      return "hardlink";
    default:
      return "other";
  }
}

/** A pax time record: decimal seconds, possibly with a fraction. */
function paxTime(value: string | undefined): Date | undefined {
  const seconds = value === undefined ? Number.NaN : Number.parseFloat(value);
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;
}

function paxNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
