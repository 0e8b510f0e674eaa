/**
 * The one place that decides where envstacks keeps downloads (package tarballs, Node.js
 * archives, registry metadata): `ENVSTACKS_CACHE_DIR`, else the platform's per-user cache.
 */
import { homedir } from "node:os";
import path from "node:path";

/** Where the caller runs: injectable so every platform's rule can be tested anywhere. */
export interface CacheDirContext {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The envstacks cache directory (not necessarily existing yet). */
export function cacheDir(context: CacheDirContext = {}): string {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  const home = context.home ?? homedir();
  if (env.ENVSTACKS_CACHE_DIR) return path.resolve(env.ENVSTACKS_CACHE_DIR);
  // The platform's own path flavour: a Windows path stays a Windows path in tests on Linux.
  const p = platform === "win32" ? path.win32 : path.posix;
  if (platform === "win32") {
    return p.join(env.LOCALAPPDATA || p.join(home, "AppData", "Local"), "envstacks", "Cache");
  }
  if (platform === "darwin") return p.join(home, "Library", "Caches", "envstacks");
  return p.join(env.XDG_CACHE_HOME || p.join(home, ".cache"), "envstacks");
}

/**
 * The cacache store inside a cache directory: content-addressed entries shared by our own
 * downloads and pacote's (npm options' `cache` points here too).
 */
export function cacachePath(dir: string = cacheDir()): string {
  return path.join(dir, "_cacache");
}
