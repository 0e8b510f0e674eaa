/**
 * Running the sample project as its users would: its launchers, and the package versions its
 * committed locks pin. The shared, once-per-run build is in sample-fixture.ts.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type CliRun, REPO_ROOT } from "./cli.js";

export const SAMPLE_PROJECT = path.join(REPO_ROOT, "sample_project");

/** Install targets of the sample's layers built for linux-x64: every layer, sorted. */
export const SAMPLE_LINUX_X64_TARGETS = [
  "app-hello",
  "app-legacy-cli",
  "app-report",
  "app-server",
  "framework-legacy",
  "framework-tools",
  "framework-web-extras",
  "framework-web@1",
  "node-20@1",
  "node-22",
];

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
