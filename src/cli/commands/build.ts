import path from "node:path";
import type { Command } from "commander";
import type { LayerBuildResult } from "../../build/build-layers.js";
import { UsageError } from "../../errors.js";
import type { Operation } from "../../graph/selection.js";
import type { CliIO } from "../io.js";
import { addBuildDirOption, addSelectionOptions, selectionOptions } from "../options.js";
import {
  addPublishOptions,
  formatPublishReport,
  type PublishFlags,
  publishJson,
  runPublish,
} from "./publish.js";

interface BuildFlags extends PublishFlags {
  publish?: boolean;
}

export function registerBuild(program: Command, io: CliIO): void {
  const command = program
    .command("build")
    .description("lock layers if needed and build their environments; --publish writes archives")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .argument("[output_dir]", "where --publish writes archives and metadata")
    .option("--publish", "write layer archives and metadata to OUTPUT_DIR");
  addPublishOptions(command)
    .option(
      "--dry-run",
      "show the plan (which layers get which operations; with --publish, as JSON with the archives) and stop",
    )
    .option("--offline", "build from the download cache alone")
    .option("--json", "print the plan (--dry-run) or what was built or published as JSON");
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
        if (flags.publish && outputDir !== undefined) {
          const report = await runPublish(env, outputDir, flags, true, io);
          const publication = { platform: report.platform, archives: report.layers };
          io.stdout.write(`${JSON.stringify({ ...plan, ...outputs, publication }, null, 2)}\n`);
        } else if (flags.json) {
          io.stdout.write(`${JSON.stringify({ ...plan, ...outputs }, null, 2)}\n`);
        } else {
          const { formatStatusTable } = await import("../format-status.js");
          io.stdout.write(formatStatusTable(plan));
        }
        return;
      }
      if (flags.publish && outputDir !== undefined) {
        const report = await runPublish(env, outputDir, flags, true, io);
        io.stdout.write(
          flags.json
            ? `${JSON.stringify(publishJson(env, report), null, 2)}\n`
            : formatPublishReport(report),
        );
        return;
      }
      const results = await env.build(selectionOptions(flags), {
        offline: flags.offline ?? false,
        log: (line) => io.stderr.write(`envstacks: ${line}\n`),
      });
      if (flags.json) {
        const report = { spec: env.spec.displayPath, buildDir: env.buildDir, layers: results };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      io.stdout.write(formatResults(results));
      io.stdout.write(`${buildSummary(results)}\n`);
    },
  );
}

/** One line per layer: name, what happened, install target and why, in aligned columns. */
export function formatResults(
  results: readonly { layerName: string; action: string; installTarget: string; reason?: string }[],
): string {
  const width = (texts: string[]) => Math.max(0, ...texts.map((t) => t.length));
  const nameWidth = width(results.map((r) => r.layerName));
  const actionWidth = width(results.map((r) => r.action));
  const targetWidth = width(results.map((r) => r.installTarget));
  return results
    .map((r) => {
      const columns = [r.layerName.padEnd(nameWidth), r.action.padEnd(actionWidth)];
      if (!r.reason) return `${[...columns, r.installTarget].join("  ")}\n`;
      return `${[...columns, r.installTarget.padEnd(targetWidth), `(${r.reason})`].join("  ")}\n`;
    })
    .join("");
}

/** `nothing to do: all 10 layers are up to date`, or how many layers each action took. */
export function buildSummary(results: readonly LayerBuildResult[]): string {
  const count = (action: LayerBuildResult["action"]) =>
    results.filter((r) => r.action === action).length;
  const upToDate = count("up to date");
  if (upToDate === results.length) {
    return `nothing to do: all ${layers(results.length)} ${results.length === 1 ? "is" : "are"} up to date`;
  }
  const parts = [`built ${layers(count("built"))}`];
  if (upToDate > 0) parts.push(`${upToDate} up to date`);
  if (count("skipped") > 0) parts.push(`${count("skipped")} skipped`);
  return parts.join(", ");
}

function layers(n: number): string {
  return `${n} layer${n === 1 ? "" : "s"}`;
}
