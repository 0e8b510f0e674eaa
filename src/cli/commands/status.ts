import type { Command } from "commander";
import type { CliIO } from "../io.js";
import {
  addBuildDirOption,
  addSelectionOptions,
  type SelectionFlags,
  selectionOptions,
} from "../options.js";

interface StatusFlags extends SelectionFlags {
  json?: boolean;
  buildDir?: string;
}

export function registerStatus(program: Command, io: CliIO): void {
  const command = program
    .command("status")
    .description(
      "show each layer's install target, lock state and the operations a build would run",
    )
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .option("--json", "print the status as JSON");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, flags: StatusFlags) => {
      const { loadBuildEnvironment, warnUnmatched } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      const status = await env.getStackStatus(selectionOptions(flags));
      warnUnmatched(status.unmatchedPatterns, io);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      } else {
        const { formatStatusTable } = await import("../format-status.js");
        io.stdout.write(formatStatusTable(status));
      }
    },
  );
}
