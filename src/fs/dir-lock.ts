/**
 * One run at a time per directory: build, publish and lock hold a lock file in the directory
 * they write (the build dir, the output dir, beside the spec), created exclusively. A second
 * run waits, saying for whom, and goes on when the file is gone; a lock whose process is no
 * longer running (a killed run) is taken over with a message.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

/** Held in the build directory by build and publish. */
export const BUILD_DIR_LOCK = ".envstacks-build.lock";
/** Held in OUTPUT_DIR by publish. */
export const OUTPUT_DIR_LOCK = ".envstacks-publish.lock";
/** Held beside the spec while lock files under `requirements/` are written. */
export const REQUIREMENTS_LOCK = ".envstacks-requirements.lock";

/** What the lock file holds: enough to tell who holds it and whether it still runs. */
interface LockOwner {
  pid: number;
  hostname: string;
  /** What the holder does, for the waiting message: `build of /path/envstacks.toml`. */
  holder: string;
  token: string;
}

export interface DirLockOptions {
  /** Where the waiting and take-over messages go; default: stderr, prefixed `envstacks: `. */
  log?: ((line: string) => void) | undefined;
  /** How often a waiting run looks at the lock file again (ms). */
  pollMs?: number;
}

/** Lock files held by the current async call chain: a nested take of one of them is a no-op. */
const heldByCaller = new AsyncLocalStorage<ReadonlySet<string>>();
/** Tokens of the locks this process holds, to tell our own locks from a dead namesake's. */
const heldByProcess = new Set<string>();

/** A lock file left without content for this long was cut off while being written. */
const UNWRITTEN_STALE_MS = 5000;

/**
 * Runs `fn` holding the lock file `lockFile` (its directory is created if needed, and removed
 * again when the run leaves it empty). Re-entrant along one call chain: publish holds the
 * build dir lock and calls build, which takes it again.
 */
export async function withDirLock<T>(
  lockFile: string,
  holder: string,
  fn: () => Promise<T>,
  options: DirLockOptions = {},
): Promise<T> {
  const file = path.resolve(lockFile);
  const held = heldByCaller.getStore() ?? new Set<string>();
  if (held.has(file)) return fn();
  const { owner, created } = await acquire(file, holder, options);
  try {
    return await heldByCaller.run(new Set([...held, file]), fn);
  } finally {
    await release(file, owner);
    if (created !== undefined) await removeEmptyDirs(path.dirname(file), created);
  }
}

/** Takes the lock; `created` is the first directory made for it (removed again if left empty). */
async function acquire(
  file: string,
  holder: string,
  options: DirLockOptions,
): Promise<{ owner: LockOwner; created: string | undefined }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`envstacks: ${line}\n`));
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    holder,
    token: randomBytes(8).toString("hex"),
  };
  let announced: string | undefined;
  let created: string | undefined;
  for (;;) {
    try {
      await writeFile(file, `${JSON.stringify(owner)}\n`, { flag: "wx" });
      heldByProcess.add(owner.token);
      return { owner, created };
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code === "ENOENT") {
        // No directory yet, or the previous holder removed the one it had made.
        created = (await mkdir(path.dirname(file), { recursive: true })) ?? created;
        continue;
      }
      if (code !== "EEXIST") throw error;
    }
    const current = await readOwner(file);
    if (current === "gone") continue;
    if (current === "unwritten") {
      if (!(await olderThan(file, UNWRITTEN_STALE_MS))) {
        await sleep(options.pollMs ?? 250);
        continue;
      }
      log(`taking over ${file}, left empty by a run that was cut off`);
      await takeOver(file, undefined);
      continue;
    }
    if (!isRunning(current)) {
      log(
        `taking over ${file} from ${current.pid} (${current.holder}), which is no longer running`,
      );
      await takeOver(file, current.token);
      continue;
    }
    if (announced !== current.token) {
      announced = current.token;
      log(`waiting for ${current.pid} (${current.holder}) to release ${file}…`);
    }
    await sleep(options.pollMs ?? 250);
  }
}

/**
 * Removes a stale lock file. It is renamed aside first and checked: when another waiter has
 * replaced it with its own live lock in the meantime, that lock is put back.
 */
async function takeOver(file: string, staleToken: string | undefined): Promise<void> {
  const aside = `${file}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readOwner(aside);
  const stillStale =
    typeof moved === "object" ? moved.token === staleToken : staleToken === undefined;
  if (!stillStale) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

async function release(file: string, owner: LockOwner): Promise<void> {
  heldByProcess.delete(owner.token);
  const current = await readOwner(file);
  // Never remove a lock that is no longer ours.
  if (typeof current === "object" && current.token === owner.token) await rm(file, { force: true });
}

async function readOwner(file: string): Promise<LockOwner | "gone" | "unwritten"> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof owner.pid === "number" &&
      typeof owner.hostname === "string" &&
      typeof owner.holder === "string" &&
      typeof owner.token === "string"
    ) {
      return owner as LockOwner;
    }
  } catch {
    // Created but not written yet, or cut off while written: decided by its age.
  }
  return "unwritten";
}

function isRunning(owner: LockOwner): boolean {
  // A process on another machine (a shared file system) cannot be checked: assume it runs.
  if (owner.hostname !== hostname()) return true;
  // Our own pid with a token we do not hold: an earlier process that had our pid (containers).
  if (owner.pid === process.pid) return heldByProcess.has(owner.token);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info === undefined || Date.now() - info.mtimeMs > ms;
}

/** Removes `dir` and its parents up to `created` (the first directory mkdir made) while empty. */
async function removeEmptyDirs(dir: string, created: string): Promise<void> {
  let current = dir;
  for (;;) {
    const removed = await rmdir(current).then(
      () => true,
      () => false,
    );
    if (!removed || current === created || path.dirname(current) === current) return;
    current = path.dirname(current);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
