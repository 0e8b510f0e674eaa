/**
 * Atomic file writes: readers see either the old bytes or the new ones, never a torn file,
 * and an unchanged file keeps its mtime (so a relock with unchanged inputs touches nothing).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` to `path` through a temporary file in the same directory and a rename.
 * Returns false (and writes nothing) when the file already holds exactly these bytes.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<boolean> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  const current = await readFile(path).catch(() => undefined);
  if (current?.equals(bytes)) return false;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  // Same directory as the target so that the rename never crosses file systems.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}
