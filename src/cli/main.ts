/**
 * CLI entry point. All error handling lives here: user errors are one line, usage errors
 * exit 2 with commander's message, anything else is a bug shown with its stack.
 */
import { CommanderError } from "commander";
import { EnvstacksError, QuietExit } from "../errors.js";
import { type CliIO, processIO } from "./io.js";
import { createProgram } from "./program.js";

/** Exit code for an unexpected failure (BSD EX_SOFTWARE): a bug in envstacks. */
export const INTERNAL_ERROR_EXIT_CODE = 70;
/** Exit code for bad command-line usage. */
export const USAGE_EXIT_CODE = 2;

/** Runs the CLI on `process.argv`-style arguments and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: "node" });
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Commander has already printed help, the version or its usage message.
    return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
  if (error instanceof QuietExit) return error.exitCode;
  if (error instanceof EnvstacksError) {
    io.stderr.write(`envstacks: error: ${error.message}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`envstacks: internal error (please report this bug):\n${detail}\n`);
  return INTERNAL_ERROR_EXIT_CODE;
}
