/**
 * One side of a comparison: the members of an archive or directory, reduced to what `diff`
 * compares (content is kept only for text small enough to show as a unified diff).
 */
import type { ArchiveMember } from "./member.js";

/** Which member attributes a source records meaningfully, so sources of two kinds compare. */
export interface SourceTraits {
  owner: boolean;
  /** Resolution of mtime in milliseconds; undefined when mtime is not compared. */
  mtimeResolutionMs?: number;
}

export const ARCHIVE_TRAITS: Record<"tar" | "zip", SourceTraits> = {
  tar: { owner: true, mtimeResolutionMs: 1000 },
  // Zip has no owner fields, and its DOS timestamps count in 2-second steps.
  zip: { owner: false, mtimeResolutionMs: 2000 },
};

/**
 * Directory trees: mtime and owner record when and by whom the copy was written, not what
 * it holds, so they are not compared.
 */
export const TREE_TRAITS: SourceTraits = { owner: false };

/** Text members above this size are compared by hash only (readers keep no more content). */
export const TEXT_LIMIT_BYTES = 1024 * 1024;

export interface Member {
  path: string;
  type: ArchiveMember["type"];
  /** Permission bits only (`0o7777`). */
  mode: number;
  mtimeMs: number;
  size: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  linkTarget?: string;
  sha256?: string;
  /** The content as text when it is UTF-8 without NUL bytes and under TEXT_LIMIT_BYTES. */
  text?: string;
}

export interface MemberProblem {
  path: string;
  problem: string;
}

export interface MemberSet {
  /** What the user calls this side: a path, or an archive's name inside a directory. */
  label: string;
  traits: SourceTraits;
  members: Member[];
  problems: MemberProblem[];
}

/** Reads every member of `source`, keeping only what the comparison needs in memory. */
export async function collectMembers(
  label: string,
  traits: SourceTraits,
  source: AsyncIterable<ArchiveMember>,
): Promise<MemberSet> {
  const byPath = new Map<string, Member>();
  const problems: MemberProblem[] = [];
  for await (const entry of source) {
    const member = toMember(entry);
    const found = [...entry.problems];
    if (byPath.has(member.path)) found.push("appears more than once; the last copy is compared");
    for (const problem of found) problems.push({ path: entry.path, problem });
    byPath.set(member.path, member);
  }
  return { label, traits, members: [...byPath.values()], problems };
}

function toMember(entry: ArchiveMember): Member {
  const member: Member = {
    path: normalizeMemberPath(entry.path),
    type: entry.type,
    mode: entry.mode & 0o7777,
    mtimeMs: entry.mtime.getTime(),
    size: entry.size,
    uid: entry.uid,
    gid: entry.gid,
    uname: entry.uname,
    gname: entry.gname,
  };
  if (entry.linkTarget !== undefined) member.linkTarget = entry.linkTarget;
  if (entry.sha256 !== undefined) member.sha256 = entry.sha256;
  const text = entry.content ? asText(entry.content) : undefined;
  if (text !== undefined) member.text = text;
  return member;
}

/** `./a/b/` and `a/b` name the same member in tar and zip. */
export function normalizeMemberPath(memberPath: string): string {
  let normalized = memberPath;
  while (normalized.startsWith("./")) normalized = normalized.slice(2);
  while (normalized.length > 1 && normalized.endsWith("/")) normalized = normalized.slice(0, -1);
  return normalized;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function asText(content: Buffer): string | undefined {
  if (content.length > TEXT_LIMIT_BYTES || content.includes(0)) return undefined;
  try {
    return utf8.decode(content);
  } catch {
    return undefined;
  }
}
