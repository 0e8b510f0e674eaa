import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { addBuildDirOption, addSelectionOptions, type SelectionFlags } from "../options.js";

interface PublishFlags extends SelectionFlags {
  buildDir?: string;
  tagOutputs?: boolean;
}

export function registerPublish(program: Command, io: CliIO): void {
  const command = program
    .command("publish")
    .description("write archives and metadata of built layers to OUTPUT_DIR")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .argument("<output_dir>", "where archives and metadata are written")
    .option("--tag-outputs", "add the build platform and a build tag to archive names");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, _outputDir: string, flags: PublishFlags) => {
      const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      selectForCommand(env, flags, ["publish"], io);
      const { notImplemented } = await import("../not-implemented.js");
      notImplemented("publish", "publishing layer archives");
    },
  );
}
