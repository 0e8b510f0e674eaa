import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { addSelectionOptions, type SelectionFlags, selectionOptions } from "../options.js";

interface LockFlags extends SelectionFlags {
  resetLock?: boolean;
  ifNeeded?: boolean;
  json?: boolean;
}

export function registerLock(program: Command, io: CliIO): void {
  const command = program
    .command("lock")
    .description("resolve the selected layers against the npm registry and write their locks")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .option("--reset-lock", "discard existing locks and resolve from scratch")
    .option("--if-needed", "only relock layers whose lock is missing or out of date")
    .option("--json", "print what happened to each layer as JSON");
  addSelectionOptions(command).action(async (specPath: string, flags: LockFlags) => {
    const { loadBuildEnvironment, warnUnmatched } = await import("../load.js");
    const env = await loadBuildEnvironment(specPath);
    const selection = selectionOptions(flags);
    warnUnmatched(env.select(selection, ["lock"]).unmatchedPatterns, io);
    const results = await env.lock(selection, {
      resetLock: flags.resetLock ?? false,
      ifNeeded: flags.ifNeeded ?? false,
      log: (line) => io.stderr.write(`envstacks: ${line}\n`),
    });
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify({ spec: env.spec.displayPath, layers: results }, null, 2)}\n`,
      );
      return;
    }
    const width = Math.max(5, ...results.map((r) => r.layerName.length));
    for (const result of results) {
      io.stdout.write(
        `${result.layerName.padEnd(width)}  ${result.action.padEnd(9)}  ${result.installTarget}\n`,
      );
    }
  });
}
