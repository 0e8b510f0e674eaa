import path from "node:path";
import { type Command, Option } from "commander";
import { ARCHIVE_FORMATS, type ArchiveFormat } from "../../archive/formats.js";
import { QuietExit } from "../../errors.js";
import type { VerifyReport } from "../../verify/verify-stack.js";
import type { CliIO } from "../io.js";
import { addSelectionOptions, type SelectionFlags, selectionOptions } from "../options.js";

interface VerifyFlags extends SelectionFlags {
  expected: string;
  update?: boolean;
  export?: string;
  report?: string;
  format?: ArchiveFormat;
  offline?: boolean;
  buildDir?: string;
}

export function registerVerify(program: Command, io: CliIO): void {
  const command = program
    .command("verify")
    .description("rebuild the stack and compare its locks and metadata with expected output")
    .argument("<spec>", "stack spec file (envstacks.toml)")
    .requiredOption("--expected <dir>", "committed expected-output directory to compare with")
    .option("--update", "rewrite the committed locks and the expected-output directory")
    .option(
      "--export <dir>",
      "save the fresh requirements, manifests and archives here when they differ",
    )
    .option("--report <file>", "write the review report (size changes, moved packages) here")
    .addOption(
      new Option(
        "--format <format>",
        "archive format of the fresh publish (default: tar.xz for linux/darwin, zip for win32)",
      ).choices(ARCHIVE_FORMATS),
    )
    .option("--offline", "do not relock; build from the committed locks and the download cache")
    // Not the shared --build-dir: verify never builds beside the user's spec by default.
    .option("--build-dir <dir>", "build directory to reuse between runs (default: a temporary one)")
    .addHelpText(
      "after",
      `
Locks a copy of the spec (its modules and committed requirements/) and publishes it into a
temporary directory, using the download cache; the spec's directory and DIR are not written
unless --update is given. Then compares:
  requirements/<layer>/*           fresh locks vs the ones committed beside the spec
  DIR/<platform>/envstacks.json    fresh published metadata vs the expected output
  DIR/<platform>/env_metadata/<layer>.json
<platform> is the build platform (e.g. linux-x64). Differences are printed as unified diffs,
the committed file as the old side ("expected/…") and the fresh one as the new ("actual/…").
With --include, only the selected layers' files are compared (envstacks.json is not).

--update copies the fresh locks over requirements/ and the fresh metadata into
DIR/<platform>/ (removing files of layers that no longer exist) and lists what it rewrote.
--export DIR saves, when anything differs, DIR/requirements/, DIR/manifests/ (the metadata
JSON) and DIR/archives/. --report FILE writes markdown comparing the committed state with
the fresh one: archive size changes (flagged beyond ±10 %), lock version bumps and packages
that moved between a layer's own and inherited packages.

Exit status: 0 when everything matches (or after --update), 1 when anything differs,
2 on usage or spec errors.`,
    );
  addSelectionOptions(command).action(async (specPath: string, flags: VerifyFlags) => {
    const { loadBuildEnvironment, selectForCommand } = await import("../load.js");
    const env = await loadBuildEnvironment(specPath, flags.buildDir);
    selectForCommand(env, flags, ["lock", "build", "publish"], io);
    const { verifyStack } = await import("../../verify/verify-stack.js");
    const report = await verifyStack(env, {
      expectedDir: flags.expected,
      update: flags.update ?? false,
      ...(flags.export !== undefined && { exportDir: flags.export }),
      ...(flags.format !== undefined && { format: flags.format }),
      ...(flags.buildDir !== undefined && { buildDir: flags.buildDir }),
      offline: flags.offline ?? false,
      selection: selectionOptions(flags),
      reviewReport: flags.report !== undefined,
      log: (line) => io.stderr.write(`envstacks: ${line}\n`),
    });
    if (flags.report !== undefined && report.reviewReport !== undefined) {
      const { writeFileAtomic } = await import("../../fs/atomic.js");
      await writeFileAtomic(path.resolve(flags.report), report.reviewReport);
    }
    io.stdout.write(await formatVerifyReport(report, flags.expected));
    // Exit status 1 with nothing more to say, as `diff` does when its inputs differ.
    if (!report.equal && !flags.update) {
      throw new QuietExit(1, "the stack does not match its expected output");
    }
  });
}

/**
 * The diffs (locks first, then the metadata) or, after --update, the files it rewrote; then
 * one summary line for the locks and one for the metadata.
 */
async function formatVerifyReport(report: VerifyReport, expectedDir: string): Promise<string> {
  const { comparisonSummary } = await import("../../verify/compare.js");
  // After --update the differences are in the user's files (and their VCS diff).
  const blocks = [...report.locks, ...report.metadata]
    .filter((c) => c.status !== "same" && report.updated.length === 0)
    .map((c) => `${c.status}: ${c.path}\n${c.patch ?? ""}`);
  const metadataDir = path.join(expectedDir, report.platform);
  const summary = [
    `locks (requirements/): ${comparisonSummary(report.locks)}`,
    `metadata (${metadataDir}): ${comparisonSummary(report.metadata)}`,
  ];
  const updates = report.updated.map(
    (u) =>
      `${u.action === "written" ? "wrote" : "removed"} ${path.relative(process.cwd(), u.path)}`,
  );
  if (report.updated.length > 0) {
    summary.push(`updated ${report.updated.length} file${report.updated.length === 1 ? "" : "s"}`);
  }
  return `${[...blocks, ...updates, ...summary].join("\n")}\n`;
}
