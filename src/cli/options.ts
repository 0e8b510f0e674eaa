/** Options shared by several commands: layer selection and the build directory. */
import { type Command, Option } from "commander";
import type { SelectionOptions } from "../graph/selection.js";

export interface SelectionFlags {
  include: string[];
  includeDependencies?: boolean;
  allowMissing?: boolean;
}

export function addSelectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--include <pattern>",
        "work on layers whose name matches this glob (repeatable; default: all layers)",
      )
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .option("--include-dependencies", "also run the operations on the layers included layers need")
    .option(
      "--allow-missing",
      "warn instead of failing when an --include pattern matches no layer",
    );
}

export function selectionOptions(flags: SelectionFlags): SelectionOptions {
  return {
    include: flags.include,
    includeDependencies: flags.includeDependencies ?? false,
    allowMissing: flags.allowMissing ?? false,
  };
}

export function addBuildDirOption(command: Command): Command {
  return command.option("--build-dir <dir>", "build directory (default: _build beside the spec)");
}
