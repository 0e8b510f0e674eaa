import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { addSelectionOptions, type SelectionFlags } from "../options.js";

interface LockFlags extends SelectionFlags {
  resetLock?: boolean;
  ifNeeded?: boolean;
}

export function registerLock(program: Command, io: CliIO): void {
  const command = program
    .command("lock")
    .description("resolve the selected layers against the npm registry and write their locks")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .option("--reset-lock", "discard existing locks and resolve from scratch")
    .option("--if-needed", "only relock layers whose lock is missing or out of date");
  addSelectionOptions(command).action(async (specPath: string, flags: LockFlags) => {
    const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
    const env = await loadBuildEnvironment(specPath);
    selectForCommand(env, flags, ["lock"], io);
    const { notImplemented } = await import("../not-implemented.js");
    notImplemented("lock", "locking layers");
  });
}
