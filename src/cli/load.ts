/** Loading a spec for a command; imported lazily so `--help` does not load the spec model. */
import type { BuildEnvironment } from "../env/build-environment.js";
import type { Operation, Selection } from "../graph/selection.js";
import type { CliIO } from "./io.js";
import { type SelectionFlags, selectionOptions } from "./options.js";

/** Loads and validates the spec (any problem is its SpecError) and pairs it with a build dir. */
export async function loadBuildEnvironment(
  specPath: string,
  buildDir?: string,
): Promise<BuildEnvironment> {
  const { StackSpec } = await import("../spec/stack-spec.js");
  const spec = await StackSpec.load(specPath);
  return spec.defineBuildEnvironment(buildDir);
}

/** Selects layers for `operations`, warning about patterns `--allow-missing` let through. */
export function selectForCommand(
  env: BuildEnvironment,
  flags: SelectionFlags,
  operations: readonly Operation[],
  io: CliIO,
): Selection {
  const selection = env.select(selectionOptions(flags), operations);
  warnUnmatched(selection.unmatchedPatterns, io);
  return selection;
}

export function warnUnmatched(patterns: readonly string[], io: CliIO): void {
  for (const pattern of patterns) {
    io.stderr.write(`envstacks: warning: no layer matches --include pattern "${pattern}"\n`);
  }
}
