/**
 * Vitest global setup: runs once per `vitest run`, in the main process, before any worker
 * starts (workers inherit `process.env` as it is after this function returns).
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Inputs of `tsc -p tsconfig.build.json`: any of them newer than `dist/` forces a rebuild. */
const BUILD_INPUTS = ["src", "tsconfig.json", "tsconfig.build.json"];

/** Returns the teardown, which vitest runs once after every test file has finished. */
export default async function setup(): Promise<() => Promise<void>> {
  process.env.ENVSTACKS_CACHE_DIR = await sharedCacheDir(
    REPO_ROOT,
    process.env.ENVSTACKS_CACHE_DIR,
  );
  await buildDistIfStale(REPO_ROOT);
  const runDir = await makeRunDir();
  process.env.ENVSTACKS_TEST_RUN_DIR = runDir;
  return () => removeRunDir(runDir);
}

/**
 * A directory unique to this `vitest run`, shared by its test files (see
 * tests/helpers/sample-fixture.ts: the sample project is published there once per run).
 */
export function makeRunDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), "envstacks-test-run-"));
}

export function removeRunDir(runDir: string): Promise<void> {
  return rm(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/**
 * The download cache every test shares, across test files and across runs: the caller's
 * `ENVSTACKS_CACHE_DIR` when set, else `<repo>/.test-cache` (gitignored).
 */
export async function sharedCacheDir(
  repoRoot: string,
  fromEnv: string | undefined,
): Promise<string> {
  const dir = fromEnv ? path.resolve(fromEnv) : path.join(repoRoot, ".test-cache");
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Builds `dist/` with tsc unless its newest file is newer than every build input (tsc rewrites
 * every output on each build). Type errors only warn: tsc still emits, and the `typecheck`
 * environment is the gate for them; a build that emits nothing fails the run.
 */
export async function buildDistIfStale(
  repoRoot: string,
  warn: (message: string) => void = (message) => console.warn(message),
): Promise<"built" | "fresh"> {
  const inputs = await Promise.all(BUILD_INPUTS.map((p) => newestMtime(path.join(repoRoot, p))));
  const before = await newestMtime(path.join(repoRoot, "dist"));
  if (before !== undefined && before > Math.max(...inputs.map((t) => t ?? 0))) return "fresh";

  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  // tsc prints diagnostics on stdout; its exit status does not tell whether it emitted, so
  // a build that wrote nothing into dist/ is the failure.
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() || result.error?.message;
  const after = await newestMtime(path.join(repoRoot, "dist"));
  if (after === undefined || (before !== undefined && after <= before)) {
    throw new Error(`building dist/ (tsc -p tsconfig.build.json) failed: ${output}`);
  }
  if (result.status !== 0) {
    warn(`warning: dist/ was built with type errors (see the typecheck environment):\n${output}`);
  }
  return "built";
}

async function newestMtime(target: string): Promise<number | undefined> {
  const times = await fileMtimes(target);
  return times.length === 0 ? undefined : Math.max(...times);
}

/** Modification times of a file, or of every file below a directory; [] when missing. */
async function fileMtimes(target: string): Promise<number[]> {
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) return [];
  if (!info.isDirectory()) return [info.mtimeMs];
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Promise.all(files.map(async (f) => (await stat(f)).mtimeMs));
}
