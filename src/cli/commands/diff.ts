import type { Command } from "commander";
import { QuietExit } from "../../errors.js";
import type { CliIO } from "../io.js";

interface DiffFlags {
  json?: boolean;
}

export function registerDiff(program: Command, io: CliIO): void {
  program
    .command("diff")
    .description(
      "compare two archives (tar, tar.gz, tar.xz, zip) or two output directories member by member",
    )
    .argument("<a>", "first archive or directory")
    .argument("<b>", "second archive or directory")
    .option("--json", "print the differences as JSON")
    .addHelpText(
      "after",
      `
Lists added, removed and changed members with what changed: content (a unified diff for
text, sha256 hashes for binary files), size, mode, mtime, owner, type, link target.
Unchanged members are not listed. Archives may differ in format; attributes one format
lacks (owner in zip) are not compared, and zip mtimes compare to 2 seconds.

Members are matched by their path below the top-level directory when each archive has
exactly one (framework-web@1/ and framework-web@2/ compare their contents; the rename is
reported once), otherwise by their full path.

Directories (e.g. two publish OUTPUT_DIRs): files compare by type, mode, link target and
content (not mtime or owner); archives present under the same name on both sides with
different bytes are compared member by member.

Archives are read as data, never extracted; hostile members (absolute paths, "..",
backslashes, links leaving the archive, hard links) are listed under "problems".

Exit status: 0 when equal, 1 when different, 2 on usage errors.`,
    )
    .action(async (a: string, b: string, flags: DiffFlags) => {
      const { diffPaths, formatDiffReport } = await import("../../archive/diff.js");
      const report = await diffPaths(a, b);
      io.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiffReport(report),
      );
      // Exit status 1 with nothing more to say, as `cmp` and `diff` do when inputs differ.
      if (!report.equal) throw new QuietExit(1, `${a} and ${b} differ`);
    });
}
