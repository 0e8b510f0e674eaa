/**
 * The members of a layer archive, read from the layer's directory: every directory, regular
 * file and symlink below it, under one top-level directory, in the order the archive stores
 * them. Anything an archive could not reproduce faithfully, or that would escape the layer
 * once unpacked, is an error naming the path.
 */
import type { Stats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { EnvstacksError } from "../errors.js";

export type SourceMember =
  | { kind: "directory"; path: string; mode: number }
  | { kind: "file"; path: string; mode: number; source: string; size: number }
  | { kind: "symlink"; path: string; mode: number; target: string };

/** Normalised modes: what a user gets after unpacking, whatever the builder's umask was. */
const DIRECTORY_MODE = 0o755;
const EXECUTABLE_MODE = 0o755;
const FILE_MODE = 0o644;
const SYMLINK_MODE = 0o777;

/**
 * Lists `sourceDir` as archive members named `topLevelName/…` (POSIX separators, no trailing
 * slash), sorted by the bytes of their UTF-8 paths, so a directory comes before its contents.
 * Hard links become regular files (each path is read on its own).
 */
export async function listSourceTree(
  sourceDir: string,
  topLevelName: string,
): Promise<SourceMember[]> {
  checkTopLevelName(topLevelName);
  const rootInfo = await lstat(sourceDir).catch(() => undefined);
  if (!rootInfo?.isDirectory()) {
    throw new EnvstacksError(`cannot archive ${sourceDir}: not a directory`);
  }
  const members: SourceMember[] = [{ kind: "directory", path: topLevelName, mode: DIRECTORY_MODE }];
  await collect(sourceDir, "", topLevelName, members);
  const keyed = members.map((member) => ({ key: Buffer.from(member.path), member }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map(({ member }) => member);
}

function checkTopLevelName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) {
    throw new EnvstacksError(`archive top-level directory name "${name}" must be one path segment`);
  }
}

/** Adds the members below `dir`, whose path inside the layer is `relDir` ("" for the layer). */
async function collect(
  dir: string,
  relDir: string,
  topLevelName: string,
  members: SourceMember[],
): Promise<void> {
  for (const name of await readdir(dir)) {
    const source = path.join(dir, name);
    const rel = relDir === "" ? name : `${relDir}/${name}`;
    const archivePath = `${topLevelName}/${rel}`;
    const info = await lstat(source);
    if (info.isDirectory()) {
      members.push({ kind: "directory", path: archivePath, mode: DIRECTORY_MODE });
      await collect(source, rel, topLevelName, members);
    } else if (info.isFile()) {
      const mode = (info.mode & 0o111) !== 0 ? EXECUTABLE_MODE : FILE_MODE;
      members.push({ kind: "file", path: archivePath, mode, source, size: info.size });
    } else if (info.isSymbolicLink()) {
      const target = await readlink(source);
      checkSymlinkTarget(source, rel, target);
      members.push({ kind: "symlink", path: archivePath, mode: SYMLINK_MODE, target });
    } else {
      throw new EnvstacksError(`cannot archive ${source}: it is a ${specialKind(info)}`);
    }
  }
}

/** A link must stay inside the layer wherever the layer is unpacked: relative, not escaping. */
function checkSymlinkTarget(source: string, relPath: string, target: string): void {
  const posixTarget = target.replaceAll("\\", "/");
  if (posixTarget.startsWith("/") || path.win32.isAbsolute(target)) {
    throw new EnvstacksError(
      `cannot archive ${source}: symlink to absolute path ${target} (only relative links unpack elsewhere)`,
    );
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(relPath), posixTarget));
  if (resolved === ".." || resolved.startsWith("../")) {
    throw new EnvstacksError(
      `cannot archive ${source}: symlink target ${target} points outside the layer directory`,
    );
  }
}

function specialKind(info: Stats): string {
  if (info.isSocket()) return "socket";
  if (info.isFIFO()) return "fifo";
  if (info.isCharacterDevice()) return "character device";
  if (info.isBlockDevice()) return "block device";
  return "special file";
}
