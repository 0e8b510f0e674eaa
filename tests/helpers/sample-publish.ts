/**
 * Checks on a published sample project: its files byte for byte. The apps run through
 * sample-apps.ts; the shared, once-per-run publish is in sample-fixture.ts.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

export const HOST = `${process.platform}-${process.arch}`;

/** Every file below `dir` (relative path → bytes), for byte-for-byte comparisons. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), await readFile(file));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
