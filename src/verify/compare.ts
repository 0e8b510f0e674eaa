/**
 * File-by-file comparison of a fresh tree ("actual") with a committed one ("expected"), with
 * unified diffs that read like `git diff`: the committed file is the old side, so a `+` line
 * is what the fresh build adds.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { compareText } from "../lock/lock-files.js";

export type ComparisonStatus = "same" | "changed" | "added" | "removed";

export interface FileComparison {
  /** Relative path with `/` separators, the same below both roots. */
  path: string;
  /** `added`: only in actual; `removed`: only in expected. */
  status: ComparisonStatus;
  /** Unified diff, expected (old) → actual (new); absent when the file is the same. */
  patch?: string;
}

/** Labels of the two sides in patches, e.g. `expected/requirements/app-server/package-lock.json`. */
export const EXPECTED_LABEL = "expected";
export const ACTUAL_LABEL = "actual";

/**
 * Compares `relativePaths` (default: every file below either root) between the two roots,
 * in sorted path order. A missing root counts as an empty tree.
 */
export async function compareFiles(
  actualRoot: string,
  expectedRoot: string,
  relativePaths?: string[],
): Promise<FileComparison[]> {
  const paths = relativePaths ?? [
    ...(await listFiles(actualRoot)),
    ...(await listFiles(expectedRoot)),
  ];
  const unique = [...new Set(paths.map(toPosix))].sort(compareText);
  const comparisons: FileComparison[] = [];
  for (const relative of unique) {
    const actual = await readIfFile(path.join(actualRoot, relative));
    const expected = await readIfFile(path.join(expectedRoot, relative));
    comparisons.push(compareContents(relative, actual, expected));
  }
  return comparisons;
}

/** Every regular file below `root` as a sorted `/`-separated relative path; [] when missing. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
      throw error;
    },
  );
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => toPosix(path.relative(root, path.join(entry.parentPath, entry.name))))
    .sort(compareText);
}

function compareContents(
  relative: string,
  actual: Buffer | undefined,
  expected: Buffer | undefined,
): FileComparison {
  if (actual === undefined && expected === undefined) {
    // Asked for explicitly but on neither side: nothing differs.
    return { path: relative, status: "same" };
  }
  if (actual !== undefined && expected !== undefined && actual.equals(expected)) {
    return { path: relative, status: "same" };
  }
  const status: ComparisonStatus =
    expected === undefined ? "added" : actual === undefined ? "removed" : "changed";
  return { path: relative, status, patch: unifiedDiff(relative, expected, actual) };
}

function unifiedDiff(relative: string, expected?: Buffer, actual?: Buffer): string {
  const oldName = expected === undefined ? "/dev/null" : `${EXPECTED_LABEL}/${relative}`;
  const newName = actual === undefined ? "/dev/null" : `${ACTUAL_LABEL}/${relative}`;
  if (isBinary(expected) || isBinary(actual)) {
    return `Binary files ${oldName} and ${newName} differ\n`;
  }
  return createTwoFilesPatch(
    oldName,
    newName,
    expected?.toString("utf8") ?? "",
    actual?.toString("utf8") ?? "",
  );
}

/** Git's heuristic: a NUL byte in the first 8000 bytes. */
function isBinary(content: Buffer | undefined): boolean {
  return content?.subarray(0, 8000).includes(0) ?? false;
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  return readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "EISDIR" || error.code === "ENOTDIR") {
      return undefined;
    }
    throw error;
  });
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join("/");
}

/** Whether any file differs. */
export function hasDifferences(comparisons: readonly FileComparison[]): boolean {
  return comparisons.some((c) => c.status !== "same");
}

/**
 * One block per differing file (a heading, then its patch) and a summary line, e.g.
 * `2 of 9 files differ: 1 changed, 1 added` or `all 9 files match`.
 */
export function formatComparisons(comparisons: readonly FileComparison[]): string {
  const differing = comparisons.filter((c) => c.status !== "same");
  const blocks = differing.map((c) => `${c.status}: ${c.path}\n${c.patch ?? ""}`);
  return `${[...blocks, comparisonSummary(comparisons)].join("\n")}\n`;
}

export function comparisonSummary(comparisons: readonly FileComparison[]): string {
  const total = comparisons.length;
  const files = `${total} file${total === 1 ? "" : "s"}`;
  const count = (status: ComparisonStatus) => comparisons.filter((c) => c.status === status).length;
  const differing = total - count("same");
  if (differing === 0) {
    if (total === 0) return "no files to compare";
    return total === 1 ? "1 file matches" : `all ${files} match`;
  }
  const parts = (["changed", "added", "removed"] as const)
    .filter((status) => count(status) > 0)
    .map((status) => `${count(status)} ${status}`);
  return `${differing} of ${files} differ${differing === 1 ? "s" : ""}: ${parts.join(", ")}`;
}
