/**
 * The sample project built ONCE per test file: `useSampleBuild()` copies sample_project into
 * a temp dir (the repository is never written to), runs `envstacks build` there with the
 * shared download cache, and removes the copy after the file's tests, even when the build
 * fails half-way.
 */
import { spawn } from "node:child_process";
import { cp, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type CliRun, envstacks, REPO_ROOT } from "./cli.js";
import { makeTempDir, removeTempDir } from "./temp-dir.js";

export const SAMPLE_PROJECT = path.join(REPO_ROOT, "sample_project");

/** A cold cache downloads two ~30 MB Node.js packages and every sample package. */
const BUILD_TIMEOUT = 10 * 60_000;

export interface SampleBuild {
  /** Temp dir holding the copy; tests may create siblings of the project here. */
  root: string;
  /** The copied sample project (spec: `<project>/envstacks.toml`). */
  project: string;
  /** `<project>/_build`. */
  buildDir: string;
  /** The first `envstacks build` of the copy. */
  firstBuild: CliRun;
}

/** Registers the once-per-file build; the returned getter works inside tests. */
export function useSampleBuild(): () => SampleBuild {
  let root: string | undefined;
  let build: SampleBuild | undefined;
  beforeAll(async () => {
    root = await makeTempDir("envstacks-sample-build-");
    const project = path.join(root, "sample_project");
    await cp(SAMPLE_PROJECT, project, {
      recursive: true,
      filter: (source) => !source.split(path.sep).includes("_build"),
    });
    const firstBuild = await envstacks(["build", "envstacks.toml"], project);
    if (firstBuild.code !== 0) {
      throw new Error(`building the sample project failed:\n${firstBuild.stderr}`);
    }
    build = { root, project, buildDir: path.join(project, "_build"), firstBuild };
  }, BUILD_TIMEOUT);
  afterAll(async () => {
    if (root !== undefined) await removeTempDir(root);
  });
  return () => {
    if (build === undefined) throw new Error("useSampleBuild(): the sample is not built");
    return build;
  };
}

/** Runs a launcher (or any executable) with arguments and optional stdin, as a user would. */
export function runExecutable(file: string, args: string[] = [], input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** The version a sample layer's committed lock pins for a package at the top of its node_modules. */
export async function lockedVersion(layerName: string, packageName: string): Promise<string> {
  const lockPath = path.join(SAMPLE_PROJECT, "requirements", layerName, "package-lock.json");
  const lock = JSON.parse(await readFile(lockPath, "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${packageName}`]?.version;
  if (version === undefined) throw new Error(`${layerName} does not lock ${packageName}`);
  return version;
}
