/** Apparent size of a file or directory tree (regular files' bytes; links count as nothing). */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

export async function treeSize(target: string): Promise<number> {
  const info = await lstat(target);
  if (info.isFile()) return info.size;
  if (!info.isDirectory()) return 0;
  let total = 0;
  for (const entry of await readdir(target)) total += await treeSize(path.join(target, entry));
  return total;
}
