/** Running selected environments, streaming their output, and the tox-like report. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import type { ToxConfig } from "./config.js";
import { expandCommands, filterEnvironment, knownLabels } from "./select.js";

export interface EnvResult {
  env: string;
  ok: boolean;
  /** Why it failed (`code 1`, `signal SIGTERM`, `cannot run …`); undefined when ok. */
  failure?: string;
  seconds: number;
}

export interface RunOptions {
  /** Repository root: commands run here and tools come from its `node_modules/.bin`. */
  root: string;
  /** Args after `--`, replacing each env's defaults; undefined keeps the defaults. */
  posargs: readonly string[] | undefined;
  /** Where the runner's own lines go (command echo, summary). */
  out: Writable;
  /** The caller's environment, filtered per env by `passEnv`. */
  sourceEnv?: NodeJS.ProcessEnv;
}

/** `-l`: each environment with its description and labels, then the labels with their envs. */
export function formatList(config: ToxConfig): string {
  const names = Object.keys(config.envs);
  const width = Math.max(...names.map((name) => name.length));
  const lines = ["environments:"];
  for (const name of names) {
    const env = config.envs[name];
    if (env === undefined) continue;
    const labels = env.labels.length > 0 ? ` [labels: ${env.labels.join(", ")}]` : "";
    lines.push(`  ${name.padEnd(width)} -> ${env.description}${labels}`);
  }
  lines.push("", "labels:");
  for (const label of knownLabels(config)) {
    const envs = names.filter((name) => config.envs[name]?.labels.includes(label));
    lines.push(`  ${label} -> ${envs.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Runs the environments in order; a failing one does not stop the next (as tox does). */
export async function runEnvironments(
  config: ToxConfig,
  envs: readonly string[],
  options: RunOptions,
): Promise<EnvResult[]> {
  const results: EnvResult[] = [];
  for (const env of envs) results.push(await runEnvironment(config, env, options));
  return results;
}

/** Runs one environment's commands in order, stopping at the first that fails. */
export async function runEnvironment(
  config: ToxConfig,
  env: string,
  options: RunOptions,
): Promise<EnvResult> {
  const started = performance.now();
  const childEnv = withLocalBin(
    filterEnvironment(config, env, options.sourceEnv ?? process.env),
    options.root,
  );
  const commands = expandCommands(config, env, options.posargs);
  let failure: string | undefined;
  for (const [index, argv] of commands.entries()) {
    options.out.write(`${env}: commands[${index}]> ${argv.join(" ")}\n`);
    failure = await runCommand(argv, options.root, childEnv);
    if (failure !== undefined) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return failure === undefined ? { env, ok: true, seconds } : { env, ok: false, failure, seconds };
}

/** tox's closing block: one line per env, then the verdict and total time. */
export function formatSummary(results: readonly EnvResult[]): string {
  const lines = results.map(
    (r) => `  ${r.env}: ${r.ok ? "OK" : `FAIL ${r.failure}`} (${r.seconds.toFixed(2)} seconds)`,
  );
  const total = results.reduce((sum, r) => sum + r.seconds, 0).toFixed(2);
  const ok = results.every((r) => r.ok);
  lines.push(`  ${ok ? "congratulations :)" : "evaluation failed :("} (${total} seconds)`);
  return `${lines.join("\n")}\n`;
}

/** 0 when every environment passed, else 1 (usage errors exit 2 before anything runs). */
export function exitCodeOf(results: readonly EnvResult[]): number {
  return results.every((r) => r.ok) ? 0 : 1;
}

/** Puts the repository's `node_modules/.bin` first on PATH, as `npm run` does. */
function withLocalBin(env: Record<string, string>, root: string): Record<string, string> {
  const key = Object.keys(env).find((name) => name.toUpperCase() === "PATH") ?? "PATH";
  const bin = path.join(root, "node_modules", ".bin");
  const current = env[key];
  return { ...env, [key]: current ? `${bin}${path.delimiter}${current}` : bin };
}

/** Runs argv with inherited stdio; resolves to a failure description, or undefined on success. */
function runCommand(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string | undefined> {
  const [name, ...args] = argv;
  if (name === undefined) return Promise.resolve("empty command");
  const { file, shell } = resolveExecutable(name, cwd);
  return new Promise((resolve) => {
    // npm's Windows shims are .cmd files, which Node runs only through the shell.
    const child = shell
      ? spawn([file, ...args].map(quoteForCmd).join(" "), { cwd, env, stdio: "inherit", shell })
      : spawn(file, args, { cwd, env, stdio: "inherit" });
    child.on("error", (error) => resolve(`cannot run ${name}: ${error.message}`));
    child.on("close", (code, signal) => {
      if (signal !== null) resolve(`signal ${signal}`);
      else resolve(code === 0 ? undefined : `code ${code}`);
    });
  });
}

/** `node` is the running Node; other names prefer the repository's `node_modules/.bin`. */
function resolveExecutable(name: string, root: string): { file: string; shell: boolean } {
  if (name === "node") return { file: process.execPath, shell: false };
  const windows = process.platform === "win32";
  const local = path.join(root, "node_modules", ".bin", windows ? `${name}.cmd` : name);
  if (existsSync(local)) return { file: local, shell: windows };
  return { file: name, shell: false };
}

function quoteForCmd(arg: string): string {
  return /^[\w./:=@,+-]+$/.test(arg) ? arg : `"${arg.replaceAll('"', '""')}"`;
}
