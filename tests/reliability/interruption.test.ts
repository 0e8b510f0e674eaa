/**
 * Interruption (issue 8, point 4): `lock`, `build` and `publish` of a small stack SIGKILLed at
 * points spread over their run (early, during installs, during compression) leave nothing
 * partial at a final name (every file there is byte-identical to a clean run's, lock-meta.json
 * only beside the other lock files), and the next run completes to a clean run's bytes.
 * The killed publish of the sample project (output only) is in tests/sample/sample-publish.test.ts.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILD_DIR_LOCK, OUTPUT_DIR_LOCK } from "../../src/fs/dir-lock.js";
import { BIN } from "../helpers/cli.js";
import { SMALL_STACK_LAYERS, writeSmallStack } from "../helpers/small-stack.js";
import { makeTempDir, removeTempDir } from "../helpers/temp-dir.js";

interface Run {
  code: number | null;
  stderr: string;
  /** ms from the start until the run ended. */
  duration: number;
  /** ms from the start until a stderr line first matched each pattern given. */
  marks: Map<RegExp, number>;
}

/** Runs the CLI to its end, timing it (and the stderr lines matching `watch`). */
function runCli(args: string[], cwd: string, watch: RegExp[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const marks = new Map<RegExp, number>();
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      for (const pattern of watch) {
        if (!marks.has(pattern) && pattern.test(stderr)) marks.set(pattern, Date.now() - start);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, duration: Date.now() - start, marks }));
  });
}

/** Starts the CLI and SIGKILLs it after `delay` ms (unless it ended before); waits for its end. */
function killAfter(args: string[], cwd: string, delay: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), delay);
    child.on("error", reject);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Names a run writes before renaming them into place, and lock files: hidden entries at the
 * top (layer temp dirs, lock files) and hidden `*.tmp` / `*.envstacks-tmp-*` files below.
 */
function isTemporaryName(name: string, topLevel: boolean): boolean {
  if (!name.startsWith(".")) return false;
  if (topLevel) return name !== ".envstacks-build";
  return /\.tmp$|\.envstacks-tmp-[0-9a-f]+$/.test(name);
}

/**
 * Every entry below `dir` (relative path → type, mode and content hash or link target);
 * with `finalOnly`, temporary names are left out.
 */
async function snapshot(dir: string, finalOnly = false): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (relative: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, relative))).sort()) {
      if (finalOnly && isTemporaryName(name, relative === "")) continue;
      const child = path.join(relative, name);
      const full = path.join(dir, child);
      const info = await lstat(full);
      const mode = (info.mode & 0o777).toString(8);
      if (info.isSymbolicLink()) result.set(child, `link ${await readlink(full)}`);
      else if (info.isDirectory()) {
        result.set(child, `dir ${mode}`);
        await walk(child);
      } else {
        const hash = createHash("sha256")
          .update(await readFile(full))
          .digest("hex");
        result.set(child, `file ${mode} ${hash}`);
      }
    }
  };
  if (existsSync(dir)) await walk("");
  return result;
}

/** Everything at a final name in `partial` is exactly what the clean run has there. */
function expectSubsetOf(partial: Map<string, string>, clean: Map<string, string>): void {
  for (const [entry, description] of partial) {
    expect(clean.get(entry), `${entry} at a final name differs from a clean run's`).toBe(
      description,
    );
  }
}

function expectSameTree(actual: Map<string, string>, clean: Map<string, string>): void {
  expect([...actual.keys()]).toEqual([...clean.keys()]);
  for (const [entry, description] of clean) expect(actual.get(entry), entry).toBe(description);
}

/** lock-meta.json without `locked_at`, the one field that records when a lock ran. */
async function lockFiles(project: string): Promise<Map<string, string>> {
  const files = await snapshot(path.join(project, "requirements"), true);
  for (const layer of SMALL_STACK_LAYERS) {
    const meta = path.join(project, "requirements", layer, "lock-meta.json");
    if (!existsSync(meta)) continue;
    const { locked_at: _, ...rest } = JSON.parse(await readFile(meta, "utf8")) as Record<
      string,
      unknown
    >;
    files.set(path.join(layer, "lock-meta.json"), JSON.stringify(rest));
  }
  return files;
}

/** The points to kill at: `fractions` of the way from `from` to `to` (ms). */
function spread(from: number, to: number, fractions: number[]): number[] {
  return fractions.map((f) => Math.round(from + f * (to - from)));
}

describe("killed runs leave no partial file at a final name and complete to a clean run's bytes", () => {
  let root: string | undefined;
  let project = "";
  let cleanBuild = new Map<string, string>();
  let cleanOut = new Map<string, string>();
  let buildEnd = 0;
  let publishEnd = 0;
  const dir = (name: string) => path.join(root ?? "", name);

  beforeAll(async () => {
    root = await makeTempDir("envstacks-interruption-");
    project = dir("project");
    await writeSmallStack(project);
  });
  afterAll(async () => {
    if (root !== undefined) await removeTempDir(root);
  });

  test("lock", { tags: ["slow"] }, async () => {
    const clean = await runCli(["lock", "envstacks.toml"], project);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanLocks = await lockFiles(project);

    const killed = dir("lock-killed");
    await writeSmallStack(killed);
    for (const delay of spread(0, clean.duration, [0.1, 0.3, 0.5, 0.7, 0.85, 0.95])) {
      await killAfter(["lock", "envstacks.toml"], killed, delay);
      const locks = await lockFiles(killed);
      expectSubsetOf(locks, cleanLocks);
      for (const layer of SMALL_STACK_LAYERS) {
        // lock-meta.json is written last: when it is there, the layer's other files are too.
        if (!locks.has(path.join(layer, "lock-meta.json"))) continue;
        for (const file of ["package.json", "package-lock.json", `packages-${layer}.txt`]) {
          expect(locks.has(path.join(layer, file)), `${layer}/${file}`).toBe(true);
        }
      }
    }
    const rerun = await runCli(["lock", "envstacks.toml"], killed);
    expect(rerun.code, rerun.stderr).toBe(0);
    expectSameTree(await lockFiles(killed), cleanLocks);
    expect(existsSync(path.join(killed, ".envstacks-requirements.lock"))).toBe(false);
  });

  test("clean reference: build and publish (tar.gz) from scratch", { tags: ["slow"] }, async () => {
    const builtApp = /app-hello: built app-hello/;
    const run = await runCli(
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
      [builtApp],
    );
    expect(run.code, run.stderr).toBe(0);
    buildEnd = run.marks.get(builtApp) ?? 0;
    publishEnd = run.duration;
    expect(buildEnd).toBeGreaterThan(0);
    cleanBuild = await snapshot(dir("build-clean"));
    cleanOut = await snapshot(dir("out-clean"));
    expect([...cleanOut.keys()]).toContain("node-22.tar.gz");
  });

  test("build", { tags: ["slow"] }, async () => {
    expect(buildEnd, "needs the clean reference").toBeGreaterThan(0);
    const buildDir = dir("build-killed");
    const args = ["build", "envstacks.toml", "--build-dir", buildDir];
    for (const delay of spread(0, buildEnd, [0.1, 0.3, 0.5, 0.7, 0.9])) {
      await killAfter(args, project, delay);
      expectSubsetOf(await snapshot(buildDir, true), cleanBuild);
    }
    const leftLock = existsSync(path.join(buildDir, BUILD_DIR_LOCK));
    const rerun = await runCli(args, project);
    expect(rerun.code, rerun.stderr).toBe(0);
    if (leftLock) expect(rerun.stderr).toMatch(/taking over .* which is no longer running/);
    expectSameTree(await snapshot(buildDir), cleanBuild);
  });

  test("publish", { tags: ["slow"] }, async () => {
    expect(publishEnd, "needs the clean reference").toBeGreaterThan(0);
    const [buildDir, out] = [dir("build-publish-killed"), dir("out-killed")];
    const args = ["publish", "envstacks.toml", out, "--build-dir", buildDir, "--format", "tar.gz"];
    // One kill while layers install, the others while the archives are compressed.
    const delays = [buildEnd / 2, ...spread(buildEnd, publishEnd, [0.15, 0.5, 0.85])];
    for (const delay of delays) {
      await killAfter(args, project, delay);
      expectSubsetOf(await snapshot(buildDir, true), cleanBuild);
      expectSubsetOf(await snapshot(out, true), cleanOut);
    }
    const leftLock = existsSync(path.join(out, OUTPUT_DIR_LOCK));
    const rerun = await runCli(args, project);
    expect(rerun.code, rerun.stderr).toBe(0);
    if (leftLock) expect(rerun.stderr).toMatch(/taking over .* which is no longer running/);
    expectSameTree(await snapshot(out), cleanOut);
    expectSameTree(await snapshot(buildDir), cleanBuild);
  });
});
