/**
 * The sample project locked, built and published ONCE per test run, for every test file that
 * needs it. The first file that asks builds a temp copy of sample_project under the run's
 * directory (`ENVSTACKS_TEST_RUN_DIR`, made and removed by tests/setup/global-setup.ts);
 * files running at the same time in other workers wait on a file lock and reuse it.
 *
 * The shared copy is READ-ONLY: commands that find nothing to do may run in it, but a test
 * that changes a file copies it first (`copySharedSample`).
 */
import { randomUUID } from "node:crypto";
import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll } from "vitest";
import { type CliRun, envstacks } from "./cli.js";
import { SAMPLE_PROJECT } from "./sample-build.js";

/** A cold cache downloads two Node.js packages; xz-compressing them takes a while too. */
export const PUBLISH_TIMEOUT = 10 * 60_000;

export interface SharedSample {
  /** The copied sample project (spec: `<project>/envstacks.toml`). */
  project: string;
  /** `<project>/_build`. */
  buildDir: string;
  /** Where the first publish wrote (a sibling of `project`). */
  outputDir: string;
  /** `envstacks build envstacks.toml`, the copy's first build. */
  firstBuild: CliRun;
  /** `envstacks build --publish envstacks.toml <outputDir>`, right after the first build. */
  firstPublish: CliRun;
}

export interface LockTimings {
  /** How often a waiter looks again. */
  pollMs: number;
  /** How often the holder refreshes the lock's mtime. */
  heartbeatMs: number;
  /** A lock not refreshed for this long is abandoned (its holder was killed). */
  staleMs: number;
}

const DEFAULT_TIMINGS: LockTimings = { pollMs: 250, heartbeatMs: 2_000, staleMs: 30_000 };

/** Registers the shared sample for the calling file; the getter works inside tests. */
export function useSharedSample(): () => SharedSample {
  let sample: SharedSample | undefined;
  beforeAll(async () => {
    sample = await acquireShared(runDir(), "sample", publishSample);
  }, PUBLISH_TIMEOUT);
  return () => {
    if (sample === undefined) throw new Error("useSharedSample(): the sample is not published");
    return sample;
  };
}

function runDir(): string {
  const dir = process.env.ENVSTACKS_TEST_RUN_DIR;
  if (!dir) {
    throw new Error(
      "ENVSTACKS_TEST_RUN_DIR is not set: run the tests through vitest.config.ts (its global setup makes it)",
    );
  }
  return dir;
}

/** Copies sample_project (without any `_build`) to `destination`. */
export async function copySampleProject(destination: string): Promise<void> {
  await cp(SAMPLE_PROJECT, destination, {
    recursive: true,
    filter: (source) => !source.split(path.sep).includes("_build"),
  });
}

/** Builds and publishes a fresh copy of sample_project inside `workDir`. */
async function publishSample(workDir: string): Promise<SharedSample> {
  const project = path.join(workDir, "sample_project");
  await copySampleProject(project);
  const firstBuild = await envstacks(["build", "envstacks.toml"], project);
  if (firstBuild.code !== 0) {
    throw new Error(`building the sample project failed:\n${firstBuild.stderr}`);
  }
  const outputDir = path.join(workDir, "out");
  const firstPublish = await envstacks(
    ["build", "--publish", "envstacks.toml", outputDir],
    project,
  );
  if (firstPublish.code !== 0) {
    throw new Error(`publishing the sample project failed:\n${firstPublish.stderr}`);
  }
  return { project, buildDir: path.join(project, "_build"), outputDir, firstBuild, firstPublish };
}

/**
 * A writable copy of the shared sample in `destination`: the project with its build
 * (`destination/sample_project`) and, when `withOutput`, the published output
 * (`destination/out`). Links are copied as they are (relative), so the copy is up to date.
 */
export async function copySharedSample(
  sample: SharedSample,
  destination: string,
  { withOutput = false }: { withOutput?: boolean } = {},
): Promise<SharedSample> {
  const options = { recursive: true, verbatimSymlinks: true, preserveTimestamps: true };
  const project = path.join(destination, "sample_project");
  await cp(sample.project, project, options);
  const outputDir = path.join(destination, "out");
  if (withOutput) await cp(sample.outputDir, outputDir, options);
  return { ...sample, project, buildDir: path.join(project, "_build"), outputDir };
}

interface LockOwner {
  token: string;
  pid: number;
  host: string;
}

/**
 * The value `create` made once for `name` under `dir`, whichever process asked first.
 * `<name>.lock/` (mkdir is atomic) marks the creator at work; `<name>.json` holds the result,
 * `<name>.failed` the creator's error, which every later caller gets too (one failed
 * 10-minute build is enough). A lock whose holder died — its pid is gone on this host, or it
 * stopped refreshing the lock's mtime — is broken and another caller creates the value.
 */
export async function acquireShared<T>(
  dir: string,
  name: string,
  create: (workDir: string) => Promise<T>,
  timings: LockTimings = DEFAULT_TIMINGS,
): Promise<T> {
  const lockDir = path.join(dir, `${name}.lock`);
  const resultFile = path.join(dir, `${name}.json`);
  const failedFile = path.join(dir, `${name}.failed`);
  for (;;) {
    const done = await readResult<T>(resultFile, failedFile);
    if (done !== undefined) return done.value;
    const owner: LockOwner = { token: randomUUID(), pid: process.pid, host: hostname() };
    if (await tryLock(lockDir, owner)) {
      try {
        // A holder may have finished between our look and our mkdir.
        const finished = await readResult<T>(resultFile, failedFile);
        if (finished !== undefined) return finished.value;
        return await createHolding(dir, name, lockDir, resultFile, failedFile, create, timings);
      } finally {
        await releaseLock(lockDir, owner.token);
      }
    }
    if (!(await breakIfStale(lockDir, timings.staleMs))) await sleep(timings.pollMs);
  }
}

async function createHolding<T>(
  dir: string,
  name: string,
  lockDir: string,
  resultFile: string,
  failedFile: string,
  create: (workDir: string) => Promise<T>,
  timings: LockTimings,
): Promise<T> {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockDir, now, now).catch(() => undefined);
  }, timings.heartbeatMs);
  try {
    // A fresh work dir: an abandoned holder's half-made one is left alone (teardown removes it).
    const value = await create(await mkdtemp(path.join(dir, `${name}-`)));
    const partial = `${resultFile}.${process.pid}.tmp`;
    await writeFile(partial, JSON.stringify(value));
    await rename(partial, resultFile);
    return value;
  } catch (error) {
    await writeFile(failedFile, error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

async function readResult<T>(
  resultFile: string,
  failedFile: string,
): Promise<{ value: T } | undefined> {
  const result = await readFile(resultFile, "utf8").catch(() => undefined);
  if (result !== undefined) return { value: JSON.parse(result) as T };
  const failure = await readFile(failedFile, "utf8").catch(() => undefined);
  if (failure !== undefined) {
    throw new Error(`the shared sample could not be made (by another test file): ${failure}`);
  }
  return undefined;
}

async function tryLock(lockDir: string, owner: LockOwner): Promise<boolean> {
  try {
    await mkdir(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  await writeFile(path.join(lockDir, "owner.json"), JSON.stringify(owner));
  return true;
}

async function releaseLock(lockDir: string, token: string): Promise<void> {
  // Our lock may have been broken as stale (a very slow holder): never remove another's.
  if ((await readOwner(lockDir))?.token === token) await rm(lockDir, { recursive: true });
}

async function readOwner(lockDir: string): Promise<LockOwner | undefined> {
  const text = await readFile(path.join(lockDir, "owner.json"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return undefined; // being written
  }
}

/** Removes the lock when its holder is gone; true when it did (or the lock vanished). */
async function breakIfStale(lockDir: string, staleMs: number): Promise<boolean> {
  const info = await stat(lockDir).catch(() => undefined);
  if (info === undefined) return true;
  const owner = await readOwner(lockDir);
  const ownerDead = owner !== undefined && owner.host === hostname() && !processAlive(owner.pid);
  if (!ownerDead && Date.now() - info.mtimeMs < staleMs) return false;
  // Renaming is atomic: of several waiters breaking the same lock, one wins.
  const broken = `${lockDir}.stale-${randomUUID()}`;
  try {
    await rename(lockDir, broken);
  } catch {
    return true;
  }
  if ((await readOwner(broken))?.token !== owner?.token) {
    // The lock was taken again between our look and the rename: give it back.
    await rename(broken, lockDir).catch(() => undefined);
    return false;
  }
  await rm(broken, { recursive: true, force: true });
  return true;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
