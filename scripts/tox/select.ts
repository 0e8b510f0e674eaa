/** Command-line parsing and environment selection for the tox-equivalent runner. */
import { POSARGS, type ToxConfig } from "./config.js";

/** A bad command line or an unknown env/label: the runner prints the message and exits 2. */
export class ToxUsageError extends Error {
  override name = "ToxUsageError";
}

export interface ToxArgs {
  /** `-h`: print usage. */
  help: boolean;
  /** `-l`: list environments instead of running them. */
  list: boolean;
  /** `-m LABEL`, in command-line order. */
  labels: string[];
  /** `-e ENV[,ENV]`, in command-line order. */
  envs: string[];
  /** Args after `--`; undefined when there is no `--` (each env then uses its defaults). */
  posargs: string[] | undefined;
}

export const USAGE = `usage: npm run tox -- [-l] [-m LABEL]... [-e ENV[,ENV]]... [-- ARGS...]

  -h, --help        show this help
  -l, --list-envs   list environments with their descriptions and labels
  -m, --labels      run the environments of LABEL (repeatable)
  -e, --env         run the named environments (comma separated, repeatable)
  -- ARGS           replace the environments' default test-runner args`;

export function parseToxArgs(argv: readonly string[]): ToxArgs {
  const args: ToxArgs = { help: false, list: false, labels: [], envs: [], posargs: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      args.posargs = argv.slice(i + 1);
      break;
    }
    if (arg === "-h" || arg === "--help") {
      args.help = true;
      continue;
    }
    if (arg === "-l" || arg === "--list-envs") {
      args.list = true;
      continue;
    }
    const [flag, inline] = splitInlineValue(arg);
    if (flag === "-m" || flag === "--labels" || flag === "-e" || flag === "--env") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new ToxUsageError(`${flag} needs a value`);
      const names = value.split(",").filter((name) => name !== "");
      (flag === "-m" || flag === "--labels" ? args.labels : args.envs).push(...names);
      continue;
    }
    throw new ToxUsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return args;
}

/** `--env=a` → ["--env", "a"]; `-ea` → ["-e", "a"]; anything else unchanged. */
function splitInlineValue(arg: string): [string, string | undefined] {
  if (arg.startsWith("--")) {
    const eq = arg.indexOf("=");
    return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
  }
  if (/^-[em]./.test(arg)) return [arg.slice(0, 2), arg.slice(2).replace(/^=/, "")];
  return [arg, undefined];
}

/**
 * The environments to run: those of each `-m` label (in config order within a label), then each
 * `-e` env, in command-line order, each env once. None given: every environment.
 */
export function selectEnvironments(
  config: ToxConfig,
  args: Pick<ToxArgs, "labels" | "envs">,
): string[] {
  const all = Object.keys(config.envs);
  if (args.labels.length === 0 && args.envs.length === 0) return all;

  const known = new Set(all);
  const unknownEnvs = args.envs.filter((env) => !known.has(env));
  if (unknownEnvs.length > 0) {
    throw new ToxUsageError(
      `unknown environment ${unknownEnvs.join(", ")} (known: ${all.join(", ")})`,
    );
  }
  const labels = knownLabels(config);
  const unknownLabels = args.labels.filter((label) => !labels.includes(label));
  if (unknownLabels.length > 0) {
    throw new ToxUsageError(
      `unknown label ${unknownLabels.join(", ")} (known: ${labels.join(", ")})`,
    );
  }

  const selected = new Set<string>();
  for (const label of args.labels) {
    for (const env of all) if (config.envs[env]?.labels.includes(label)) selected.add(env);
  }
  for (const env of args.envs) selected.add(env);
  return [...selected];
}

/** Every label used by some environment, in first-use order. */
export function knownLabels(config: ToxConfig): string[] {
  return [...new Set(Object.values(config.envs).flatMap((env) => env.labels))];
}

/** An environment's commands with `{posargs}` replaced by `posargs`, or else its defaults. */
export function expandCommands(
  config: ToxConfig,
  envName: string,
  posargs: readonly string[] | undefined,
): string[][] {
  const env = config.envs[envName];
  if (env === undefined) throw new ToxUsageError(`unknown environment ${envName}`);
  const args = posargs ?? env.defaultPosargs ?? [];
  return env.commands.map((command) => command.flatMap((arg) => (arg === POSARGS ? args : [arg])));
}

/**
 * The variables an environment's commands see: the caller's variables whose names match the
 * config-wide or the env's `passEnv` (names, or `PREFIX_*`), plus the env's `setEnv`.
 * Names compare case-insensitively on Windows, where the environment is case-insensitive.
 */
export function filterEnvironment(
  config: ToxConfig,
  envName: string,
  source: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const env = config.envs[envName];
  if (env === undefined) throw new ToxUsageError(`unknown environment ${envName}`);
  const fold = (name: string) => (platform === "win32" ? name.toUpperCase() : name);
  const patterns = [...config.passEnv, ...(env.passEnv ?? [])].map(fold);
  const passes = (name: string) =>
    patterns.some((pattern) =>
      pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
    );

  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && passes(fold(name))) result[name] = value;
  }
  return { ...result, ...env.setEnv };
}
