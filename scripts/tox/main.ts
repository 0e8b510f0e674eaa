/** The tox-equivalent command line: parse, select, run, report. */
import type { Writable } from "node:stream";
import type { ToxConfig } from "./config.js";
import { exitCodeOf, formatList, formatSummary, runEnvironments } from "./run.js";
import { parseToxArgs, selectEnvironments, ToxUsageError, USAGE } from "./select.js";

export interface ToxMainOptions {
  config: ToxConfig;
  root: string;
  out: Writable;
  err: Writable;
  sourceEnv?: NodeJS.ProcessEnv;
}

/** Returns the process exit code: 0 all passed, 1 some env failed, 2 bad usage. */
export async function runTox(argv: readonly string[], options: ToxMainOptions): Promise<number> {
  const { config, out, err } = options;
  let envs: string[];
  let posargs: string[] | undefined;
  try {
    const args = parseToxArgs(argv);
    if (args.help) {
      out.write(`${USAGE}\n`);
      return 0;
    }
    if (args.list) {
      out.write(formatList(config));
      return 0;
    }
    envs = selectEnvironments(config, args);
    posargs = args.posargs;
  } catch (error) {
    if (!(error instanceof ToxUsageError)) throw error;
    err.write(`tox: error: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }

  const results = await runEnvironments(config, envs, {
    root: options.root,
    posargs,
    out,
    ...(options.sourceEnv ? { sourceEnv: options.sourceEnv } : {}),
  });
  out.write(formatSummary(results));
  return exitCodeOf(results);
}
