/**
 * Layer directories side by side in one parent (the build dir or an export dir), replaced
 * atomically: a layer is assembled in a hidden temp dir and renamed into place, so the final
 * name only ever holds a complete layer.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";

function randomSuffix(): string {
  return randomBytes(6).toString("hex");
}

/**
 * Creates `<parent>/.<name>.tmp-<random>`, lets `fill` populate it, then swaps it in as
 * `<parent>/<name>` (an existing directory there is removed after the swap). When `fill`
 * throws, the temp dir is removed and `<parent>/<name>` is left as it was.
 */
export async function replaceDirAtomically(
  parent: string,
  name: string,
  fill: (tempDir: string) => Promise<void>,
): Promise<void> {
  await mkdir(parent, { recursive: true });
  const temp = path.join(parent, `.${name}.tmp-${randomSuffix()}`);
  const final = path.join(parent, name);
  try {
    await mkdir(temp);
    await fill(temp);
    // rename() cannot replace a non-empty directory: move the old one aside first.
    const old = path.join(parent, `.${name}.old-${randomSuffix()}`);
    const hadOld = await rename(final, old).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    try {
      await rename(temp, final);
    } catch (error) {
      if (hadOld) await rename(old, final);
      throw error;
    }
    if (hadOld) await removeDir(old);
  } finally {
    await removeDir(temp);
  }
}

/**
 * Removes the other directories of one layer from `parent`: older install targets
 * (`<layer>@<n>`, or `<layer>` after it became versioned) and temp dirs left by an
 * interrupted build or export.
 */
export async function removeOtherTargets(
  parent: string,
  layerName: string,
  keep: string,
): Promise<string[]> {
  const escaped = layerName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const target = new RegExp(`^${escaped}(@\\d+)?$`);
  const leftover = new RegExp(`^\\.${escaped}(@\\d+)?\\.(tmp|old)-[0-9a-f]+$`);
  const entries = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    if (entry === keep || !(target.test(entry) || leftover.test(entry))) continue;
    await removeDir(path.join(parent, entry));
    removed.push(entry);
  }
  return removed;
}

function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}
