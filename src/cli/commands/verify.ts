import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { addBuildDirOption, addSelectionOptions, type SelectionFlags } from "../options.js";

interface VerifyFlags extends SelectionFlags {
  expected: string;
  update?: boolean;
  export?: string;
  report?: string;
  buildDir?: string;
}

export function registerVerify(program: Command, io: CliIO): void {
  const command = program
    .command("verify")
    .description("rebuild the stack and compare its locks and metadata with expected output")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .requiredOption("--expected <dir>", "committed expected-output directory to compare with")
    .option("--update", "rewrite the expected-output directory with the fresh results")
    .option("--export <dir>", "save the fresh artifacts here when they differ")
    .option("--report <file>", "write the review report (size changes, moved packages) here");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, flags: VerifyFlags) => {
      const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      selectForCommand(env, flags, ["lock", "build", "publish"], io);
      const { notImplemented } = await import("../not-implemented.js");
      notImplemented("verify", "comparing with expected output");
    },
  );
}
