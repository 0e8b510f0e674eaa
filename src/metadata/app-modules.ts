/**
 * Content hashes of an application's launch and support modules, as the metadata records
 * them. A directory launch module is hashed over its files' sorted relative paths and
 * contents (without `node_modules`, which the build does not copy), so the hash depends on
 * content alone, never on mtimes or the directory's location.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { ApplicationSpec } from "../spec/types.js";
import type { AppModuleMetadata } from "./layer-metadata.js";

export interface AppModulesMetadata {
  app_launch_module: string;
  app_launch_module_hash: string;
  app_support_modules: AppModuleMetadata[];
}

export async function appModulesMetadata(app: ApplicationSpec): Promise<AppModulesMetadata> {
  return {
    app_launch_module: path.basename(app.launchModule),
    app_launch_module_hash: await hashModule(app.launchModule),
    app_support_modules: await Promise.all(
      app.supportModules.map(async (file) => ({
        name: path.basename(file),
        hash: await hashModule(file),
      })),
    ),
  };
}

/** `sha256:<hex>` of a file's bytes, or of a directory's files (see the module comment). */
export async function hashModule(modulePath: string): Promise<string> {
  if (!(await stat(modulePath)).isDirectory()) {
    return `sha256:${createHash("sha256")
      .update(await readFile(modulePath))
      .digest("hex")}`;
  }
  const files: string[] = [];
  for (const entry of await readdir(modulePath, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = path
      .relative(modulePath, path.join(entry.parentPath, entry.name))
      .split(path.sep)
      .join("/");
    if (!relative.split("/").includes("node_modules")) files.push(relative);
  }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash("sha256");
  for (const relative of files) {
    const content = await readFile(path.join(modulePath, ...relative.split("/")));
    // Path, length, content: no two different trees give the same byte stream.
    hash.update(`${relative}\0${content.length}\0`);
    hash.update(content);
  }
  return `sha256:${hash.digest("hex")}`;
}
