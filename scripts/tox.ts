/**
 * tox for this repository: `npm run tox -- -l`, `-m LABEL`, `-e ENV[,ENV]`, `-- test-runner args`.
 * Environments are declared in tox-equivalent.config.ts.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import config from "../tox-equivalent.config.js";
import { runTox } from "./tox/main.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

process.exitCode = await runTox(process.argv.slice(2), {
  config,
  root,
  out: process.stdout,
  err: process.stderr,
});
