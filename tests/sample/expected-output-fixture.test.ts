/**
 * The once-per-run sharing of the published sample (tests/helpers/sample-fixture.ts), on a
 * cheap stand-in for the 10-minute publish: concurrent callers create it once, waiters reuse
 * it, abandoned locks are broken, and a failure is reported to every caller.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { acquireShared, type LockTimings } from "../helpers/sample-fixture.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();
const FAST: LockTimings = { pollMs: 10, heartbeatMs: 20, staleMs: 500 };

/** A stand-in for the publish: counts its calls and leaves a file in its work dir. */
function counting(delayMs = 50) {
  const calls: string[] = [];
  const create = async (workDir: string) => {
    calls.push(workDir);
    await sleep(delayMs);
    await writeFile(path.join(workDir, "made"), "");
    return { workDir, made: calls.length };
  };
  return { calls, create };
}

/** A lock left behind by `owner`, its mtime `ageMs` in the past. */
async function leftLock(dir: string, owner: object, ageMs: number): Promise<void> {
  const lockDir = path.join(dir, "sample.lock");
  await mkdir(lockDir);
  await writeFile(path.join(lockDir, "owner.json"), JSON.stringify(owner));
  const then = new Date(Date.now() - ageMs);
  await utimes(lockDir, then, then);
}

describe("acquireShared", () => {
  test("concurrent callers create the value once and all get it", async () => {
    const dir = tempDir();
    const { calls, create } = counting();
    const values = await Promise.all(
      Array.from({ length: 5 }, () => acquireShared(dir, "sample", create, FAST)),
    );
    expect(calls).toHaveLength(1);
    expect(values).toEqual(Array(5).fill({ workDir: calls[0], made: 1 }));
    const later = await acquireShared(dir, "sample", create, FAST);
    expect(later).toEqual(values[0]);
    expect(calls).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual([path.basename(calls[0] ?? ""), "sample.json"]);
  });

  test("a caller waits for a live holder and takes its value", async () => {
    const dir = tempDir();
    await leftLock(dir, { token: "live", pid: process.pid, host: hostname() }, 0);
    const { calls, create } = counting();
    const waiting = acquireShared(dir, "sample", create, { ...FAST, staleMs: 60_000 });
    await sleep(100);
    await writeFile(path.join(dir, "sample.json"), JSON.stringify({ from: "holder" }));
    expect(await waiting).toEqual({ from: "holder" });
    expect(calls).toEqual([]);
  });

  test("a lock whose holder process is gone is broken at once", async () => {
    const dir = tempDir();
    const exited = spawnSync(process.execPath, ["-e", ""]).pid;
    await leftLock(dir, { token: "dead", pid: exited, host: hostname() }, 0);
    const { calls, create } = counting();
    const started = Date.now();
    await acquireShared(dir, "sample", create, { ...FAST, staleMs: 60_000 });
    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("a lock not refreshed for staleMs is broken (holder on another machine)", async () => {
    const dir = tempDir();
    await leftLock(dir, { token: "far", pid: 1, host: "elsewhere.invalid" }, 5_000);
    const { calls, create } = counting();
    await acquireShared(dir, "sample", create, FAST);
    expect(calls).toHaveLength(1);
  });

  test("a holder's heartbeat keeps its lock while it works longer than staleMs", async () => {
    const dir = tempDir();
    const { calls, create } = counting(FAST.staleMs * 3);
    const values = await Promise.all([
      acquireShared(dir, "sample", create, FAST),
      sleep(50).then(() => acquireShared(dir, "sample", create, FAST)),
    ]);
    expect(calls).toHaveLength(1);
    expect(values[1]).toEqual(values[0]);
  });

  test("a failure reaches the caller that created and every later one, without a retry", async () => {
    const dir = tempDir();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error("publishing the sample project failed: no registry");
    };
    await expect(acquireShared(dir, "sample", failing, FAST)).rejects.toThrow("no registry");
    await expect(acquireShared(dir, "sample", failing, FAST)).rejects.toThrow(
      "the shared sample could not be made (by another test file): publishing the sample project failed: no registry",
    );
    expect(calls).toBe(1);
  });
});
