/**
 * Hostile member paths, found from the member's own data: `diff` reports them and never
 * follows them (it extracts nothing, so a link is only ever a string to compare).
 */
import path from "node:path";

/** The member fields a path check needs. */
export interface MemberPathInfo {
  path: string;
  type: string;
  linkTarget?: string;
}

/** Why this member would be unsafe to extract, in words; empty when it is harmless. */
export function memberProblems(member: MemberPathInfo): string[] {
  const problems = pathProblems(member.path, "path");
  if (member.type === "symlink" && member.linkTarget !== undefined) {
    problems.push(...linkProblems(member.path, member.linkTarget, "symlink"));
  }
  if (member.type === "hardlink") {
    problems.push(`hard link to ${JSON.stringify(member.linkTarget ?? "")} (not followed)`);
    if (member.linkTarget !== undefined) {
      problems.push(...pathProblems(member.linkTarget, "hard link target"));
    }
  }
  return problems;
}

/** True when a path names something outside the archive root or uses Windows separators. */
export function isHostilePath(memberPath: string): boolean {
  return pathProblems(memberPath, "path").length > 0;
}

function pathProblems(memberPath: string, what: string): string[] {
  const problems: string[] = [];
  if (memberPath.includes("\\")) problems.push(`${what} contains a backslash`);
  if (memberPath.startsWith("/") || /^[A-Za-z]:/.test(memberPath)) {
    problems.push(`${what} is absolute`);
  }
  if (memberPath.split(/[/\\]/).includes("..")) problems.push(`${what} contains ".."`);
  return problems;
}

function linkProblems(memberPath: string, target: string, what: string): string[] {
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target) || target.startsWith("\\")) {
    return [`${what} to an absolute path ${JSON.stringify(target)} (not followed)`];
  }
  const resolved = path.posix.normalize(
    path.posix.join(path.posix.dirname(memberPath), target.replaceAll("\\", "/")),
  );
  if (resolved === ".." || resolved.startsWith("../")) {
    return [`${what} to ${JSON.stringify(target)} leaves the archive (not followed)`];
  }
  return [];
}
