/** The commander program: every command, with help, usage errors and output routed to `io`. */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBuild } from "./commands/build.js";
import { registerDiff } from "./commands/diff.js";
import { registerLocalExport } from "./commands/local-export.js";
import { registerLock } from "./commands/lock.js";
import { registerPublish } from "./commands/publish.js";
import { registerStatus } from "./commands/status.js";
import { registerVerify } from "./commands/verify.js";
import type { CliIO } from "./io.js";

export function createProgram(io: CliIO): Command {
  const program = new Command("envstacks")
    .description("Lock, build and publish layered, reproducible Node.js environments")
    .version(packageVersion(), "-V, --version", "print the envstacks version")
    // Settings made before `.command()` are inherited by every subcommand.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors read like every other envstacks error: `envstacks: error: …`.
      outputError: (text, write) => write(`envstacks: ${text}`),
    })
    .showHelpAfterError("(add --help for usage)");
  registerLock(program, io);
  registerBuild(program, io);
  registerPublish(program, io);
  registerLocalExport(program, io);
  registerStatus(program, io);
  registerVerify(program, io);
  registerDiff(program, io);
  return program;
}

/** From package.json, two levels above both `src/cli/` and `dist/cli/`. */
function packageVersion(): string {
  const manifest = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}
