/**
 * Application layer contents besides its packages: the launch module and support modules
 * under `app/`, the link assets under `share/envstacks/` and the launchers under `bin/`.
 */
import { chmod, copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ApplicationSpec, TargetPlatform } from "../spec/types.js";
import { writeLaunchers } from "./launchers.js";
import type { LayerConfig } from "./layer-config.js";
import { installLinkAssets } from "./linking.js";

/**
 * Installs an application's own files into `layerDir` (its packages are installed
 * separately). `app/` is rewritten from scratch so a rebuild leaves no stale module.
 */
export async function installApplication(
  layerDir: string,
  app: ApplicationSpec,
  config: LayerConfig,
  platform: TargetPlatform,
): Promise<void> {
  const appDir = join(layerDir, "app");
  await rm(appDir, { recursive: true, force: true });
  await mkdir(appDir, { recursive: true, mode: 0o755 });
  await chmod(appDir, 0o755);
  for (const source of [app.launchModule, ...app.supportModules]) {
    await copyNormalised(source, join(appDir, basename(source)));
  }
  await installLinkAssets(layerDir);
  await writeLaunchers(layerDir, { config, launchModule: basename(app.launchModule) }, platform);
}

/**
 * Copies a file, or a directory whole without its `node_modules` (the app's packages come
 * from its lock), with modes normalised to 0644/0755 so the layer does not depend on the
 * checkout's umask. Symlinks are followed: a layer must not point outside itself.
 */
async function copyNormalised(source: string, destination: string): Promise<void> {
  const info = await stat(source);
  if (!info.isDirectory()) {
    await copyFile(source, destination);
    await chmod(destination, 0o644);
    return;
  }
  await mkdir(destination, { mode: 0o755 });
  await chmod(destination, 0o755);
  const entries = await readdir(source);
  for (const entry of entries.sort()) {
    if (entry === "node_modules") continue;
    await copyNormalised(join(source, entry), join(destination, entry));
  }
}
