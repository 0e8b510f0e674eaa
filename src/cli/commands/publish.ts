import path from "node:path";
import { type Command, Option } from "commander";
import { ARCHIVE_FORMATS, type ArchiveFormat } from "../../archive/formats.js";
import type { BuildEnvironment } from "../../env/build-environment.js";
import type { LayerPublishResult, PublishReport } from "../../publish/publish-layers.js";
import type { CliIO } from "../io.js";
import {
  addBuildDirOption,
  addSelectionOptions,
  type SelectionFlags,
  selectionOptions,
} from "../options.js";

export interface PublishFlags extends SelectionFlags {
  buildDir?: string;
  format?: ArchiveFormat;
  tagOutputs?: boolean;
  dryRun?: boolean;
  offline?: boolean;
  json?: boolean;
}

/** The options `publish` and `build --publish` share (besides selection and --build-dir). */
export function addPublishOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--format <format>",
        "archive format for every layer (default: tar.xz for linux/darwin targets, zip for win32)",
      ).choices(ARCHIVE_FORMATS),
    )
    .option(
      "--tag-outputs",
      "name archives <install_target>-<platform>-<archive_build>.<ext> instead of <install_target>.<ext>",
    );
}

export function registerPublish(program: Command, io: CliIO): void {
  const command = program
    .command("publish")
    .description(
      "build layers if needed and write their archives and metadata to OUTPUT_DIR (locks must be valid)",
    )
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .argument("<output_dir>", "where archives and metadata are written");
  addPublishOptions(command)
    .option("--dry-run", "print the publication plan as JSON and write nothing")
    .option("--offline", "build from the download cache alone")
    .option("--json", "print what was published as JSON");
  addSelectionOptions(addBuildDirOption(command)).action(
    async (specPath: string, outputDir: string, flags: PublishFlags) => {
      const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
      const env = await loadBuildEnvironment(specPath, flags.buildDir);
      selectForCommand(env, flags, ["build", "publish"], io);
      const report = await runPublish(env, outputDir, flags, false, io);
      io.stdout.write(
        flags.json || flags.dryRun
          ? `${JSON.stringify(publishJson(env, report), null, 2)}\n`
          : formatPublishReport(report),
      );
    },
  );
}

/** Publishes (or plans, with --dry-run) as the flags say; `lock`: lock what needs it first. */
export function runPublish(
  env: BuildEnvironment,
  outputDir: string,
  flags: PublishFlags,
  lock: boolean,
  io: CliIO,
): Promise<PublishReport> {
  return env.publish(selectionOptions(flags), outputDir, {
    lock,
    ...(flags.format !== undefined && { format: flags.format }),
    tagOutputs: flags.tagOutputs ?? false,
    dryRun: flags.dryRun ?? false,
    offline: flags.offline ?? false,
    log: (line) => io.stderr.write(`envstacks: ${line}\n`),
  });
}

export function publishJson(env: BuildEnvironment, report: PublishReport) {
  return { spec: env.spec.displayPath, buildDir: env.buildDir, ...report };
}

/** One line per layer (name, action, archive, size, why) and a summary line. */
export function formatPublishReport(report: PublishReport): string {
  const rows = report.layers.map((r) => [
    r.layerName,
    r.action,
    r.archiveName ?? r.installTarget,
    r.archiveSize === undefined ? "" : formatSize(r.archiveSize),
    r.reason === undefined ? "" : `(${r.reason})`,
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...rows.map((row) => row[i]?.length ?? 0)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  return `${[...lines, publishSummary(report)].join("\n")}\n`;
}

function publishSummary(report: PublishReport): string {
  const count = (action: LayerPublishResult["action"]) =>
    report.layers.filter((r) => r.action === action).length;
  const published = report.layers.length - count("skipped");
  const where = path.relative(process.cwd(), report.outputDir) || ".";
  if (count("written") === 0 && published > 0) {
    const all = published === 1 ? "the archive" : `all ${published} archives`;
    return `nothing to do: ${all} in ${where} ${published === 1 ? "is" : "are"} up to date`;
  }
  const parts = [
    `wrote ${count("written")} archive${count("written") === 1 ? "" : "s"} to ${where}`,
  ];
  if (count("up to date") > 0) parts.push(`${count("up to date")} up to date`);
  if (count("skipped") > 0) parts.push(`${count("skipped")} skipped`);
  return parts.join(", ");
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
