/**
 * Layer linking assets: `link.cjs` and `link-hooks.mjs` (see assets/link/) are copied into
 * an application layer's `share/envstacks/`, where its launcher preloads them.
 */
import { chmod, copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Shipped with the package: `assets/` sits two levels above both src/install and dist/install. */
export const LINK_ASSETS_DIR = fileURLToPath(new URL("../../assets/link/", import.meta.url));

export const LINK_ASSET_FILES = ["link.cjs", "link-hooks.mjs"] as const;

/** Copies the link assets to `<layerDir>/share/envstacks/` (0644); returns the paths written. */
export async function installLinkAssets(layerDir: string): Promise<string[]> {
  const shareDir = join(layerDir, "share", "envstacks");
  await mkdir(shareDir, { recursive: true, mode: 0o755 });
  const written: string[] = [];
  for (const file of LINK_ASSET_FILES) {
    const destination = join(shareDir, file);
    await copyFile(join(LINK_ASSETS_DIR, file), destination);
    await chmod(destination, 0o644);
    written.push(destination);
  }
  return written;
}
