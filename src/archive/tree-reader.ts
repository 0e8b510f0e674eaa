/**
 * Reads a directory (a publish OUTPUT_DIR, a local export) into the same member model as the
 * archive reader. Symbolic links are read as links, never followed, so nothing outside the
 * directory is ever read; a link that points out of it is reported as a problem.
 */
import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { type ArchiveMember, memberProblems } from "./member.js";

export interface TreeReadOptions {
  /** Files up to this size come with their content; larger ones with their sha256 only. */
  maxContentBytes: number;
}

/** Every entry below `root` (not `root` itself), depth first in code-point order of names. */
export async function* readTree(
  root: string,
  options: TreeReadOptions,
): AsyncIterable<ArchiveMember> {
  yield* readDirectory(root, "", options);
}

async function* readDirectory(
  root: string,
  relative: string,
  options: TreeReadOptions,
): AsyncIterable<ArchiveMember> {
  const names = (await readdir(path.join(root, relative))).sort();
  for (const name of names) {
    const memberPath = relative === "" ? name : `${relative}/${name}`;
    const fullPath = path.join(root, memberPath);
    const stats = await lstat(fullPath);
    const member = baseMember(memberPath, stats);
    if (stats.isSymbolicLink()) member.linkTarget = await readlink(fullPath);
    if (stats.isFile()) {
      if (stats.size <= options.maxContentBytes) {
        member.content = await readWhole(fullPath);
        member.sha256 = createHash("sha256").update(member.content).digest("hex");
      } else {
        member.sha256 = await sha256OfFile(fullPath);
      }
    }
    member.problems = memberProblems(member);
    yield member;
    if (stats.isDirectory()) yield* readDirectory(root, memberPath, options);
  }
}

function baseMember(memberPath: string, stats: Stats): ArchiveMember {
  return {
    path: memberPath,
    type: stats.isDirectory()
      ? "directory"
      : stats.isSymbolicLink()
        ? "symlink"
        : stats.isFile()
          ? "file"
          : "other",
    mode: stats.mode & 0o7777,
    mtime: stats.mtime,
    size: stats.isFile() ? stats.size : 0,
    uid: stats.uid,
    gid: stats.gid,
    uname: "",
    gname: "",
    problems: [],
  };
}

/** O_NOFOLLOW (where the OS has it): a file swapped for a link after lstat is not read. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

async function readWhole(file: string): Promise<Buffer> {
  const handle = await open(file, OPEN_FLAGS);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const handle = await open(file, OPEN_FLAGS);
  const hash = createHash("sha256");
  // The stream closes the handle when it ends or fails.
  for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
