/**
 * The sample project, built and published once per run into a temp copy (shared, read-only;
 * tests that change it work on a copy): the archives are
 * reproducible to the bit, unpack with the system tar/unzip into a deployment where every app
 * runs, match their metadata; a second publish rewrites nothing, a changed launch module
 * rewrites one archive, and a killed publish completes to the same bytes as a clean one.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { LayerMetadata, StackMetadata } from "../../src/metadata/layer-metadata.js";
import { BIN, type CliRun, envstacks } from "../helpers/cli.js";
import { expectSampleAppsRun } from "../helpers/sample-apps.js";
import { SAMPLE_LINUX_X64_TARGETS } from "../helpers/sample-build.js";
import {
  copySampleProject,
  copySharedSample,
  PUBLISH_TIMEOUT,
  useSharedSample,
} from "../helpers/sample-fixture.js";
import { HOST, readTree } from "../helpers/sample-publish.js";
import { useTempDir } from "../helpers/temp-dir.js";

const sample = useSharedSample();
const tempDir = useTempDir();

const REQUIRED_FIELDS = [
  "layer_name",
  "install_target",
  "archive_name",
  "archive_size",
  "archive_hashes",
  "archive_build",
  "lock_version",
  "locked_at",
  "requirements_hash",
  "node_implementation",
  "runtime_layer",
  "required_layers",
  "target_platform",
];
const APP_FIELDS = ["app_launch_module", "app_launch_module_hash", "app_support_modules"];

function readJson<T>(file: string): Promise<T> {
  return readFile(file, "utf8").then((text) => JSON.parse(text) as T);
}

async function allMetadata(outputDir: string): Promise<LayerMetadata[]> {
  const dir = path.join(outputDir, "__envstacks__", "env_metadata");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  return Promise.all(files.map((f) => readJson<LayerMetadata>(path.join(dir, f))));
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** Runs the CLI under `umask 077` with the given environment, as `sh -c` would. */
function envstacksUmask077(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", 'umask 077; exec "$0" "$@"', process.execPath, BIN, ...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Sets the mtime of every file and directory below `dir` (not following links). */
async function touchAll(dir: string, time: Date): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    await utimes(path.join(entry.parentPath, entry.name), time, time);
  }
}

/** Unpacks each archive of `outputDir` into `deployDir` with the system tar or unzip. */
function unpack(outputDir: string, archives: readonly string[], deployDir: string): void {
  for (const archive of archives) {
    const file = path.join(outputDir, archive);
    if (archive.endsWith(".zip")) execFileSync("unzip", ["-q", file, "-d", deployDir]);
    else execFileSync("tar", ["-xf", file, "-C", deployDir]);
  }
}

describe("the sample project, published once", () => {
  test("metadata lists every field and matches the archives; envstacks.json lists them all", {
    tags: ["slow"],
  }, async () => {
    const { outputDir, firstPublish } = sample();
    expect(firstPublish.stdout).toMatch(/^wrote \d+ archives to /m);
    const metadata = await allMetadata(outputDir);
    if (HOST === "linux-x64") {
      expect(metadata.map((m) => m.install_target).sort()).toEqual(SAMPLE_LINUX_X64_TARGETS);
    }
    const archives = (await readdir(outputDir)).filter((f) => f !== "__envstacks__");
    expect(archives.sort()).toEqual(metadata.map((m) => m.archive_name).sort());
    for (const m of metadata) {
      for (const field of REQUIRED_FIELDS)
        expect(m, `${m.layer_name}.${field}`).toHaveProperty(field);
      const isApp = m.layer_name.startsWith("app-");
      for (const field of APP_FIELDS) expect(Object.hasOwn(m, field)).toBe(isApp);
      expect(m.archive_name).toBe(`${m.install_target}.tar.xz`);
      const file = path.join(outputDir, m.archive_name);
      expect(m.archive_size).toBe((await stat(file)).size);
      expect(m.archive_hashes.sha256).toBe(await sha256(file));
      expect(m.archive_build).toBe(1);
      expect(m.target_platform).toBe(HOST);
    }
    expect(metadata.find((m) => m.layer_name === "app-legacy-cli")).toMatchObject({
      node_implementation: "node@20.20.2",
      runtime_layer: "node-20@1",
      required_layers: ["framework-legacy", "node-20@1"],
      app_launch_module: "legacy-cli",
    });

    const stack = await readJson<StackMetadata>(
      path.join(outputDir, "__envstacks__", "envstacks.json"),
    );
    const listed = [
      ...stack.layers.runtimes,
      ...stack.layers.frameworks,
      ...stack.layers.applications,
    ];
    const byName = (a: LayerMetadata, b: LayerMetadata) => (a.layer_name < b.layer_name ? -1 : 1);
    expect([...listed].sort(byName)).toEqual([...metadata].sort(byName));
    expect(stack.layers.runtimes.map((m) => m.layer_name)).toEqual(["node-22", "node-20"]);
  });

  test("a publish elsewhere, later, under another umask, TZ and locale is byte-identical", {
    tags: ["slow"],
    timeout: PUBLISH_TIMEOUT,
  }, async () => {
    const { outputDir } = sample();
    const root = tempDir();
    const project = path.join(root, "second", "copy", "sample_project");
    await copySampleProject(project);
    const buildDir = path.join(root, "second", "build-elsewhere");
    const second = path.join(root, "second", "out");
    const env = { ...process.env, TZ: "Pacific/Kiritimati", LC_ALL: "tr_TR.UTF-8", LANG: "tr_TR" };
    const built = await envstacksUmask077(
      ["build", "envstacks.toml", "--build-dir", buildDir],
      project,
      env,
    );
    expect(built.code, built.stderr).toBe(0);
    await touchAll(buildDir, new Date("2031-02-03T04:05:06Z"));
    const published = await envstacksUmask077(
      ["publish", "envstacks.toml", second, "--build-dir", buildDir],
      project,
      env,
    );
    expect(published.code, published.stderr).toBe(0);
    const [first, again] = [await readTree(outputDir), await readTree(second)];
    expect([...again.keys()]).toEqual([...first.keys()]);
    for (const [file, bytes] of first) {
      expect(again.get(file)?.equals(bytes), `${file} differs`).toBe(true);
    }
  });

  test("archives unpacked side by side with the system tar run every app", {
    tags: ["slow"],
  }, async () => {
    const { outputDir } = sample();
    const deployDir = path.join(tempDir(), "deployed-tar");
    await mkdir(deployDir);
    const archives = (await allMetadata(outputDir)).map((m) => m.archive_name);
    unpack(outputDir, archives, deployDir);
    expect((await readdir(deployDir)).sort()).toEqual(
      (await allMetadata(outputDir)).map((m) => m.install_target).sort(),
    );
    await expectSampleAppsRun(deployDir);
  });

  test("--format zip app archives unpack with the system unzip and run", {
    tags: ["slow"],
  }, async () => {
    const { project, outputDir } = sample();
    const root = tempDir();
    const zipOut = path.join(root, "out-zip");
    const run = await envstacks(
      ["publish", "envstacks.toml", zipOut, "--format", "zip", "--include", "app-*"],
      project,
    );
    expect(run.code, run.stderr).toBe(0);
    const apps = await allMetadata(zipOut);
    expect(apps.every((m) => m.archive_name === `${m.install_target}.zip`)).toBe(true);
    expect(apps.every((m) => m.archive_format === "zip")).toBe(true);
    const deployDir = path.join(root, "deployed-zip");
    await mkdir(deployDir);
    const lower = (await allMetadata(outputDir)).filter((m) => !m.layer_name.startsWith("app-"));
    unpack(
      outputDir,
      lower.map((m) => m.archive_name),
      deployDir,
    );
    unpack(
      zipOut,
      apps.map((m) => m.archive_name),
      deployDir,
    );
    await expectSampleAppsRun(deployDir);
  });

  test("--dry-run lists the plan and writes nothing; --tag-outputs names", {
    tags: ["slow"],
  }, async () => {
    const { project, outputDir } = sample();
    const root = tempDir();
    const dry = await envstacks(["publish", "envstacks.toml", outputDir, "--dry-run"], project);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { layers: { layerName: string; action: string }[] };
    expect(plan.layers.every((l) => l.action === "up to date" || l.action === "skipped")).toBe(
      true,
    );
    const fresh = path.join(root, "out-dry");
    const tagged = await envstacks(
      ["publish", "envstacks.toml", fresh, "--dry-run", "--tag-outputs"],
      project,
    );
    expect(tagged.code, tagged.stderr).toBe(0);
    const freshPlan = JSON.parse(tagged.stdout) as {
      layers: { layerName: string; action: string; archiveName?: string }[];
    };
    expect(freshPlan.layers.find((l) => l.layerName === "app-hello")).toMatchObject({
      action: "would write",
      archiveName: `app-hello-${HOST}-1.tar.xz`,
    });
    expect(existsSync(fresh)).toBe(false);

    const taggedOut = path.join(root, "out-tagged");
    const run = await envstacks(
      ["publish", "envstacks.toml", taggedOut, "--tag-outputs", "--include", "app-hello"],
      project,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^app-hello\\s+written\\s+app-hello-${HOST}-1\\.tar\\.xz\\s`, "m"),
    );
    expect(await readdir(taggedOut)).toContain(`app-hello-${HOST}-1.tar.xz`);
  });

  test("a killed publish leaves only complete files and completes to a clean publish's bytes", {
    tags: ["slow"],
    timeout: PUBLISH_TIMEOUT,
  }, async () => {
    const { project } = sample();
    const root = tempDir();
    const args = (out: string) => [
      BIN,
      "publish",
      "envstacks.toml",
      out,
      "--format",
      "tar.gz",
      "--include",
      "app-*",
      "--include",
      "framework-tools",
    ];
    const killed = path.join(root, "out-killed");
    for (const delay of [150, 400, 700, 1000, 1400, 1900, 2500]) {
      const child = spawn(process.execPath, args(killed), { cwd: project, stdio: "ignore" });
      await killAfter(child, delay);
      await expectOnlyCompleteFiles(killed);
    }
    const rerun = await envstacks(args(killed).slice(1), project);
    expect(rerun.code, rerun.stderr).toBe(0);
    const clean = path.join(root, "out-clean");
    const cleanRun = await envstacks(args(clean).slice(1), project);
    expect(cleanRun.code, cleanRun.stderr).toBe(0);
    const [a, b] = [await readTree(killed), await readTree(clean)];
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [file, bytes] of b) expect(a.get(file)?.equals(bytes), `${file} differs`).toBe(true);
  });

  test("a second publish into the same OUTPUT_DIR rewrites nothing and says so", {
    tags: ["slow"],
  }, async () => {
    const { project, outputDir } = sample();
    const before = await mtimes(outputDir);
    const run = await envstacks(["build", "--publish", "envstacks.toml", outputDir], project);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^nothing to do: all \d+ archives in .* are up to date$/m);
    expect(run.stdout).not.toMatch(/\bwritten\b/);
    expect(await mtimes(outputDir)).toEqual(before);
  });

  test("a changed launch module rewrites only its app's archive, as archive_build 2", {
    tags: ["slow"],
  }, async () => {
    const { project, outputDir } = await copySharedSample(sample(), tempDir(), {
      withOutput: true,
    });
    const before = await mtimes(outputDir);
    await appendFile(path.join(project, "launch_modules", "hello.mjs"), "// changed\n");
    const run = await envstacks(["build", "--publish", "envstacks.toml", outputDir], project);
    expect(run.code, run.stderr).toBe(0);
    const written = run.stdout.split("\n").filter((line) => /^\S+\s+written\s/.test(line));
    expect(written.map((line) => line.split(/\s+/)[0])).toEqual(["app-hello"]);
    const after = await mtimes(outputDir);
    const archives = Object.keys(after).filter(
      (f) => !f.startsWith("__envstacks__") && after[f] !== before[f],
    );
    expect(archives).toEqual(["app-hello.tar.xz"]);
    const hello = await readJson<LayerMetadata>(
      path.join(outputDir, "__envstacks__", "env_metadata", "app-hello.json"),
    );
    expect(hello.archive_build).toBe(2);
    expect(hello.archive_hashes.sha256).toBe(
      await sha256(path.join(outputDir, "app-hello.tar.xz")),
    );
  });
});

async function mtimes(dir: string): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, file)] = (await stat(file)).mtimeMs;
  }
  return result;
}

/** SIGKILLs `child` after `delay` ms (unless it ended before) and waits for it to end. */
function killAfter(child: ChildProcess, delay: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), delay);
    child.on("error", reject);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Every file at a final name is complete: metadata parses, an archive matches the metadata
 * that names it or, without metadata yet, is a complete gzip stream.
 */
async function expectOnlyCompleteFiles(outputDir: string): Promise<void> {
  if (!existsSync(outputDir)) return;
  const metadataDir = path.join(outputDir, "__envstacks__", "env_metadata");
  const metadata = existsSync(metadataDir)
    ? (await readdir(metadataDir)).filter((f) => !f.startsWith("."))
    : [];
  const byArchive = new Map<string, LayerMetadata>();
  for (const file of metadata) {
    const m = await readJson<LayerMetadata>(path.join(metadataDir, file));
    byArchive.set(m.archive_name, m);
  }
  const stackFile = path.join(outputDir, "__envstacks__", "envstacks.json");
  if (existsSync(stackFile)) await readJson<StackMetadata>(stackFile);
  for (const file of await readdir(outputDir)) {
    if (file.startsWith(".") || file === "__envstacks__") continue;
    const m = byArchive.get(file);
    if (m === undefined) execFileSync("gzip", ["-t", path.join(outputDir, file)]);
    else expect(await sha256(path.join(outputDir, file)), file).toBe(m.archive_hashes.sha256);
  }
}
