import type { Command } from "commander";

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description(
      "compare two archives (tar, tar.gz, tar.xz, zip) or two output directories member by member",
    )
    .argument("<a>", "first archive or directory")
    .argument("<b>", "second archive or directory")
    .option("--json", "print the differences as JSON")
    .action(async () => {
      const { notImplemented } = await import("../not-implemented.js");
      notImplemented("diff", "comparing archives and output directories");
    });
}
