/**
 * Copies a layer directory as it is deployed: file modes kept, symlinks kept as links and
 * made relative, so the copy depends on nothing outside the directory it is placed in.
 */
import { chmod, copyFile, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import path from "node:path";

/**
 * Copies what `source` holds into the existing, empty directory `destination` and gives it
 * the mode of `source`. An absolute symlink pointing inside `linkRoot` (the directory that
 * holds the layers) becomes relative, so links between layers survive the move; other
 * absolute links are kept as they are.
 */
export async function copyDirContents(
  source: string,
  destination: string,
  linkRoot: string,
): Promise<void> {
  for (const entry of (await readdir(source)).sort()) {
    await copyEntry(path.join(source, entry), path.join(destination, entry), linkRoot);
  }
  await chmod(destination, (await lstat(source)).mode & 0o7777);
}

async function copyEntry(source: string, destination: string, linkRoot: string): Promise<void> {
  const info = await lstat(source);
  if (info.isSymbolicLink()) {
    await symlink(relativeLink(await readlink(source), source, linkRoot), destination);
  } else if (info.isDirectory()) {
    await mkdir(destination);
    await copyDirContents(source, destination, linkRoot);
  } else if (info.isFile()) {
    await copyFile(source, destination);
    await chmod(destination, info.mode & 0o7777);
  }
  // Sockets, FIFOs and devices have no place in a layer and are not copied.
}

function relativeLink(target: string, link: string, linkRoot: string): string {
  if (!path.isAbsolute(target)) return target;
  const inside = path.relative(linkRoot, target);
  if (inside.startsWith("..") || path.isAbsolute(inside)) return target;
  return path.relative(path.dirname(link), target) || ".";
}
