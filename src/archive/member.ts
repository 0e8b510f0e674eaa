/**
 * An archive member as the reader reports it, and the checks that flag hostile members:
 * what a careless extractor would write outside its target directory, or could not write at
 * all. The reader extracts nothing, so these are reports, never followed.
 */
import path from "node:path";

export type ArchiveMemberType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface ArchiveMember {
  /** The name as stored (UTF-8), without the trailing `/` of a directory. */
  path: string;
  type: ArchiveMemberType;
  /** Permission bits (`0o7777`); for zip entries without Unix attributes, 0o755 or 0o644. */
  mode: number;
  mtime: Date;
  /** Bytes of content (files; a zip symlink's target); 0 for other members. */
  size: number;
  /** Zip records no owner: 0 and "". */
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Symlink target, or the member a hard link names. */
  linkTarget?: string;
  /** The content of a file of at most `maxContentBytes`. */
  content?: Buffer;
  /** Hex SHA-256 of a file's content (every file, whatever its size). */
  sha256?: string;
  /** Why extracting this member would be unsafe or lossy; empty when it is harmless. */
  problems: string[];
}

/** The problems of a member, from its name, type and link target. */
export function memberProblems(
  member: Pick<ArchiveMember, "path" | "type" | "linkTarget">,
  otherKind?: string,
): string[] {
  const problems = pathProblems(member.path, "path");
  if (member.type === "symlink") {
    problems.push(...symlinkProblems(member.path, member.linkTarget ?? ""));
  } else if (member.type === "hardlink") {
    const target = member.linkTarget ?? "";
    problems.push(`hard link to ${JSON.stringify(target)} (not followed)`);
    problems.push(...pathProblems(target, "hard link target"));
  } else if (member.type === "other") {
    problems.push(`is a ${otherKind ?? "special file"}, not a file, directory or link`);
  }
  return problems;
}

function pathProblems(memberPath: string, what: string): string[] {
  const problems: string[] = [];
  if (memberPath === "") problems.push(`${what} is empty`);
  if (memberPath.includes("\0")) problems.push(`${what} contains a NUL byte`);
  // Windows extractors take a backslash for a separator: `a\..\..\x` climbs out there.
  if (memberPath.includes("\\")) problems.push(`${what} contains a backslash`);
  if (isAbsolute(memberPath)) problems.push(`${what} is absolute`);
  if (memberPath.split(/[/\\]/).includes("..")) problems.push(`${what} contains ".."`);
  return problems;
}

function symlinkProblems(memberPath: string, target: string): string[] {
  if (isAbsolute(target)) {
    return [`symlink to an absolute path ${JSON.stringify(target)} (not followed)`];
  }
  const resolved = path.posix.normalize(
    path.posix.join(path.posix.dirname(memberPath), target.replaceAll("\\", "/")),
  );
  if (resolved === ".." || resolved.startsWith("../")) {
    return [`symlink to ${JSON.stringify(target)} leaves the archive (not followed)`];
  }
  return [];
}

/** POSIX-absolute, a Windows drive path (`C:`), or a UNC/rooted Windows path. */
function isAbsolute(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name);
}
