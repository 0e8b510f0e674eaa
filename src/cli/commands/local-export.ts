import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { addBuildDirOption, addSelectionOptions, type SelectionFlags } from "../options.js";

interface LocalExportFlags extends SelectionFlags {
  buildDir?: string;
}

export function registerLocalExport(program: Command, io: CliIO): void {
  const command = program
    .command("local-export")
    .description("export built layers as runnable directories into OUTPUT_DIR")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .argument("<output_dir>", "where the layer directories are written");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, _outputDir: string, flags: LocalExportFlags) => {
      const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      selectForCommand(env, flags, ["publish"], io);
      const { notImplemented } = await import("../not-implemented.js");
      notImplemented("local-export", "exporting layer environments");
    },
  );
}
