/**
 * Concurrency (issue 8, point 5): two builds, or two publishes, of one spec at once on one
 * build directory / OUTPUT_DIR serialise on a lock file: the second says whom it waits for,
 * goes on when the first is done, and the directory ends up as a single clean run leaves it.
 * A lock left by a process that no longer runs is taken over with a message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILD_DIR_LOCK, OUTPUT_DIR_LOCK, withDirLock } from "../../src/fs/dir-lock.js";
import { BIN } from "../helpers/cli.js";
import { writeSmallStack } from "../helpers/small-stack.js";
import { makeTempDir, removeTempDir, useTempDir } from "../helpers/temp-dir.js";

interface Started {
  child: ChildProcess;
  /** Resolves when a stderr line matches `pattern` (rejects if the process ends first). */
  saw(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startCli(args: string[], cwd: string): Started {
  const child = spawn(process.execPath, [BIN, ...args], { cwd });
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    for (const w of watchers) if (w.pattern.test(stderr)) w.resolve();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    },
  );
  return {
    child,
    done,
    saw: (pattern) =>
      new Promise((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        watchers.push({ pattern, resolve });
        void done.then(() =>
          pattern.test(stderr)
            ? resolve()
            : reject(new Error(`never printed ${pattern}:\n${stderr}`)),
        );
      }),
  };
}

/** Every entry below `dir`: relative path → type, mode and content hash or link target. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const full = path.join(dir, name);
    const info = await lstat(full);
    const mode = (info.mode & 0o777).toString(8);
    if (info.isSymbolicLink()) result.set(name, `link ${await readlink(full)}`);
    else if (info.isDirectory()) result.set(name, `dir ${mode}`);
    else {
      const hash = createHash("sha256")
        .update(await readFile(full))
        .digest("hex");
      result.set(name, `file ${mode} ${hash}`);
    }
  }
  return result;
}

function expectSameTree(actual: Map<string, string>, clean: Map<string, string>): void {
  expect([...actual.keys()]).toEqual([...clean.keys()]);
  for (const [entry, description] of clean) expect(actual.get(entry), entry).toBe(description);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The pid of a process that has just ended: no process runs with it (for a while). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

describe("withDirLock", () => {
  const tempDir = useTempDir();

  test("a second holder waits, saying for whom, and runs once the lock is released", async () => {
    const file = path.join(tempDir(), "build", BUILD_DIR_LOCK);
    const lines: string[] = [];
    const order: string[] = [];
    let release = () => {};
    const first = withDirLock(file, "build of /a/envstacks.toml", async () => {
      order.push("first start");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push("first end");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = withDirLock(
      file,
      "build of /b/envstacks.toml",
      async () => {
        order.push("second");
      },
      { log: (line) => lines.push(line), pollMs: 20 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order).toEqual(["first start"]);
    expect(lines).toEqual([
      `waiting for ${process.pid} (build of /a/envstacks.toml) to release ${file}…`,
    ]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first start", "first end", "second"]);
    expect(existsSync(file)).toBe(false);
  });

  test("a lock left by a process that no longer runs is taken over with a message", async () => {
    const file = path.join(tempDir(), OUTPUT_DIR_LOCK);
    const pid = await deadPid();
    const stale = { pid, hostname: hostname(), holder: "publish of x", token: "0" };
    await writeFile(file, JSON.stringify(stale));
    const lines: string[] = [];
    const result = await withDirLock(file, "publish of y", async () => "ran", {
      log: (line) => lines.push(line),
    });
    expect(result).toBe("ran");
    expect(lines).toEqual([
      `taking over ${file} from ${pid} (publish of x), which is no longer running`,
    ]);
    expect(existsSync(file)).toBe(false);
  });

  test("taking a held lock again along one call chain does not wait; an error releases it", async () => {
    const file = path.join(tempDir(), BUILD_DIR_LOCK);
    const failing = withDirLock(file, "publish", () =>
      withDirLock(file, "build", async () => {
        expect(existsSync(file)).toBe(true);
        throw new Error("inner failure");
      }),
    );
    await expect(failing).rejects.toThrow("inner failure");
    expect(existsSync(file)).toBe(false);
  });

  test("a directory the lock created is removed again when the run leaves it empty", async () => {
    const dir = path.join(tempDir(), "new", "out");
    await expect(
      withDirLock(path.join(dir, OUTPUT_DIR_LOCK), "publish", async () => {
        throw new Error("failed before writing");
      }),
    ).rejects.toThrow();
    expect(await readdir(tempDir())).toEqual([]);
  });
});

describe("two runs at once on one directory (built CLI)", () => {
  let root: string | undefined;
  let project = "";
  const dir = (name: string) => path.join(root ?? "", name);

  beforeAll(async () => {
    root = await makeTempDir("envstacks-concurrency-");
    project = dir("project");
    await writeSmallStack(project);
  });
  afterAll(async () => {
    if (root !== undefined) await removeTempDir(root);
  });

  test("two builds serialise: the second waits for the first, then finds everything built", {
    tags: ["slow"],
  }, async () => {
    const clean = startCli(["build", "envstacks.toml", "--build-dir", dir("build-clean")], project);
    expect((await clean.done).code).toBe(0);

    const buildDir = dir("build-shared");
    const args = ["build", "envstacks.toml", "--build-dir", buildDir];
    const first = startCli(args, project);
    await first.saw(/node-22: building/);
    const second = startCli(args, project);
    const [a, b] = [await first.done, await second.done];
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const spec = path.join(project, "envstacks.toml");
    const lock = path.join(buildDir, BUILD_DIR_LOCK);
    expect(b.stderr).toMatch(
      new RegExp(
        `^envstacks: waiting for ${first.child.pid} \\(build of ${escapeRegExp(spec)}\\) to release ${escapeRegExp(lock)}…$`,
        "m",
      ),
    );
    expect(a.stdout).toMatch(/^built 3 layers$/m);
    expect(b.stdout).toMatch(/^nothing to do: all 3 layers are up to date$/m);
    expectSameTree(await snapshot(buildDir), await snapshot(dir("build-clean")));
  });

  test("two publishes into one OUTPUT_DIR serialise and leave a single clean publish's files", {
    tags: ["slow"],
  }, async () => {
    const buildDir = dir("build-shared");
    expect(existsSync(buildDir), "needs the build test's build dir").toBe(true);
    const out = dir("out-shared");
    const args = ["publish", "envstacks.toml", out, "--build-dir", buildDir, "--format", "tar.gz"];
    const first = startCli(args, project);
    // Compressing the runtime layer takes seconds: the second run starts while it goes on.
    await first.saw(/node-22: writing the archive/);
    const second = startCli(args, project);
    // Meanwhile, a clean publish elsewhere as the reference.
    const clean = startCli(
      [
        "publish",
        "envstacks.toml",
        dir("out-clean"),
        "--build-dir",
        dir("build-clean"),
        "--format",
        "tar.gz",
      ],
      project,
    );
    const [a, b, c] = [await first.done, await second.done, await clean.done];
    for (const run of [a, b, c]) expect(run.code, run.stderr).toBe(0);
    const spec = path.join(project, "envstacks.toml");
    const lock = path.join(out, OUTPUT_DIR_LOCK);
    expect(b.stderr).toMatch(
      new RegExp(
        `^envstacks: waiting for ${first.child.pid} \\(publish of ${escapeRegExp(spec)}\\) to release ${escapeRegExp(lock)}…$`,
        "m",
      ),
    );
    expect(a.stdout).toMatch(/^wrote 3 archives to /m);
    expect(b.stdout).toMatch(/^nothing to do: all 3 archives in .* are up to date$/m);
    expectSameTree(await snapshot(out), await snapshot(dir("out-clean")));
    expectSameTree(await snapshot(buildDir), await snapshot(dir("build-clean")));
  });
});
