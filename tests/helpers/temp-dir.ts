import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";

const PREFIX = "envstacks-test-";

/** Creates a fresh, empty directory under the OS temp dir. */
export function makeTempDir(prefix: string = PREFIX): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Removes a temp dir; retries because Windows may briefly hold handles of exited children. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/**
 * Gives every test in the calling file its own empty temp dir, removed after the test
 * whether it passed or failed. Call at file or `describe` level; read the dir inside a test:
 *
 *   const tempDir = useTempDir();
 *   test("...", () => { fs.writeFileSync(path.join(tempDir(), "x"), "") });
 */
export function useTempDir(prefix: string = PREFIX): () => string {
  let current: string | undefined;
  beforeEach(async () => {
    current = await makeTempDir(prefix);
  });
  afterEach(async () => {
    const dir = current;
    current = undefined;
    if (dir !== undefined) await removeTempDir(dir);
  });
  return () => {
    if (current === undefined)
      throw new Error("useTempDir(): the temp dir exists only inside a test");
    return current;
  };
}

/** Runs `fn` with a fresh temp dir and removes the dir afterwards, even when `fn` throws. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T> | T,
  prefix: string = PREFIX,
): Promise<T> {
  const dir = await makeTempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    await removeTempDir(dir);
  }
}
