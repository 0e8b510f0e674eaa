import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { Operation } from "../../graph/selection.js";
import type { CliIO } from "../io.js";
import {
  addBuildDirOption,
  addSelectionOptions,
  type SelectionFlags,
  selectionOptions,
} from "../options.js";

interface BuildFlags extends SelectionFlags {
  publish?: boolean;
  tagOutputs?: boolean;
  dryRun?: boolean;
  buildDir?: string;
  offline?: boolean;
  json?: boolean;
}

export function registerBuild(program: Command, io: CliIO): void {
  const command = program
    .command("build")
    .description("lock layers if needed and build their environments; --publish writes archives")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .argument("[output_dir]", "where --publish writes archives and metadata")
    .option("--publish", "write layer archives and metadata to OUTPUT_DIR")
    .option("--tag-outputs", "add the build platform and a build tag to archive names")
    .option("--dry-run", "show the plan (which layers get which operations) and stop")
    .option("--offline", "build from the download cache alone")
    .option("--json", "print the --dry-run plan as JSON");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, outputDir: string | undefined, flags: BuildFlags) => {
      if (flags.publish && outputDir === undefined) {
        throw new UsageError("envstacks build --publish needs an OUTPUT_DIR to publish into");
      }
      const { loadBuildEnvironment, warnUnmatched } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      const operations: Operation[] = flags.publish
        ? ["lock", "build", "publish"]
        : ["lock", "build"];
      const plan = await env.getStackStatus(selectionOptions(flags), operations);
      warnUnmatched(plan.unmatchedPatterns, io);
      if (flags.dryRun) {
        const outputs = {
          publish: flags.publish ?? false,
          outputDir: outputDir === undefined ? null : path.resolve(outputDir),
        };
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ ...plan, ...outputs }, null, 2)}\n`);
        } else {
          const { formatStatusTable } = await import("../format-status.js");
          io.stdout.write(formatStatusTable(plan));
        }
        return;
      }
      const { notImplemented } = await import("../not-implemented.js");
      notImplemented("build", "building layer environments");
    },
  );
}
