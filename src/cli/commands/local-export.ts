import path from "node:path";
import type { Command } from "commander";
import type { CliIO } from "../io.js";
import {
  addBuildDirOption,
  addSelectionOptions,
  type SelectionFlags,
  selectionOptions,
} from "../options.js";

interface LocalExportFlags extends SelectionFlags {
  buildDir?: string;
  offline?: boolean;
  json?: boolean;
}

export function registerLocalExport(program: Command, io: CliIO): void {
  const command = program
    .command("local-export")
    .description("build layers if needed and export them as runnable directories into OUTPUT_DIR")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .argument("<output_dir>", "where the layer directories are written")
    .option("--offline", "build from the download cache alone")
    .option("--json", "print what was exported as JSON");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, outputDir: string, flags: LocalExportFlags) => {
      const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      selectForCommand(env, flags, ["lock", "build", "publish"], io);
      const results = await env.localExport(selectionOptions(flags), outputDir, {
        offline: flags.offline ?? false,
        log: (line) => io.stderr.write(`envstacks: ${line}\n`),
      });
      const output = path.resolve(outputDir);
      if (flags.json) {
        const report = { spec: env.spec.displayPath, outputDir: output, layers: results };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const { formatResults } = await import("./build.js");
      io.stdout.write(formatResults(results));
      const exported = results.filter((r) => r.action === "exported").length;
      io.stdout.write(`exported ${exported} layer${exported === 1 ? "" : "s"} to ${output}\n`);
    },
  );
}
