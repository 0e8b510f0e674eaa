/**
 * Files in OUTPUT_DIR are written under a temporary name in their final directory and
 * renamed into place, so a final name never holds a partial file. A publish that was killed
 * leaves only temporary names behind; the next publish removes them first.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";

/** Marks this module's temporary archive names: `.<final name>.envstacks-tmp-<hex>`. */
const ARCHIVE_TEMP = /^\..+\.envstacks-tmp-[0-9a-f]+$/;
/** The temporary names of `writeFileAtomic` (metadata files): `.<name>.<pid>.<hex>.tmp`. */
const ATOMIC_TEMP = /^\..+\.\d+\.[0-9a-f]+\.tmp$/;

export function tempArchivePath(outputDir: string, finalName: string): string {
  return path.join(outputDir, `.${finalName}.envstacks-tmp-${randomBytes(6).toString("hex")}`);
}

/** Removes temporary files an interrupted publish left in `dirs`; returns their paths. */
export async function removeStaleTempFiles(dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!ARCHIVE_TEMP.test(entry) && !ATOMIC_TEMP.test(entry)) continue;
      await rm(path.join(dir, entry), { force: true });
      removed.push(path.join(dir, entry));
    }
  }
  return removed;
}

/** Size and sha256 (hex) of a file, or undefined when it is not a regular file. */
export async function fileDigest(
  file: string,
): Promise<{ size: number; sha256: string } | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { size: info.size, sha256: hash.digest("hex") };
}
