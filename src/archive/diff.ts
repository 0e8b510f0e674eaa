/**
 * `envstacks diff`: compares two archives (tar, tar.gz, tar.xz, zip; the two may differ in
 * format) or two directories, member by member. Archives are read as data: nothing is
 * extracted, and hostile members are reported, never followed.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import { type ArchiveDiff, compareMemberSets } from "./diff-compare.js";
import { ARCHIVE_TRAITS, collectMembers, TEXT_LIMIT_BYTES, TREE_TRAITS } from "./diff-members.js";
import { formatOfPath } from "./formats.js";
import { type ReadArchiveOptions, readArchive } from "./read.js";
import { readTree } from "./tree-reader.js";

export type {
  ArchiveDiff,
  ChangedField,
  ChangedMember,
  FieldChange,
  MemberSummary,
  SideProblem,
} from "./diff-compare.js";
export { formatDiffReport } from "./diff-format.js";

/** Limits on what one archive may unpack to (zip bombs); the reader's defaults otherwise. */
export type DiffOptions = Pick<ReadArchiveOptions, "maxMemberBytes" | "maxTotalBytes">;

export interface DiffReport {
  a: string;
  b: string;
  kind: "archives" | "directories";
  equal: boolean;
  /**
   * Archives: one comparison. Directories: the directory trees first, then one comparison
   * per archive present under the same name on both sides whose bytes differ.
   */
  comparisons: ArchiveDiff[];
}

/** Compares two archives or two directories; throws UsageError for anything else. */
export async function diffPaths(
  a: string,
  b: string,
  options: DiffOptions = {},
): Promise<DiffReport> {
  const [kindA, kindB] = await Promise.all([pathKind(a), pathKind(b)]);
  if (kindA !== kindB) {
    throw new UsageError(
      `cannot compare ${kindA === "directory" ? "a directory" : "an archive"} (${a}) with ${
        kindB === "directory" ? "a directory" : "an archive"
      } (${b}): give two archives or two directories`,
    );
  }
  if (kindA === "archive") {
    const comparison = await diffArchives(a, b, options);
    return { a, b, kind: "archives", equal: comparison.equal, comparisons: [comparison] };
  }
  const comparisons = await diffDirectories(a, b, options);
  return { a, b, kind: "directories", equal: comparisons.every((c) => c.equal), comparisons };
}

async function pathKind(given: string): Promise<"archive" | "directory"> {
  const stats = await stat(given).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") {
      throw new UsageError(`${given}: no such file or directory`);
    }
    throw error;
  });
  if (stats.isDirectory()) return "directory";
  archiveFormat(given);
  return "archive";
}

function archiveFormat(given: string): "tar" | "zip" {
  const format = formatOfPath(given);
  if (format === undefined) {
    throw new UsageError(
      `${given}: unknown archive format (expected .tar, .tar.gz, .tgz, .tar.xz or .zip)`,
    );
  }
  return format === "zip" ? "zip" : "tar";
}

async function diffArchives(a: string, b: string, options: DiffOptions): Promise<ArchiveDiff> {
  const limits = { ...options, maxContentBytes: TEXT_LIMIT_BYTES };
  // One side at a time: each archive's members are held in memory until compared.
  const setA = await collectMembers(a, ARCHIVE_TRAITS[archiveFormat(a)], readArchive(a, limits));
  const setB = await collectMembers(b, ARCHIVE_TRAITS[archiveFormat(b)], readArchive(b, limits));
  return compareMemberSets(setA, setB);
}

/**
 * Files compare by content (a unified diff for the metadata JSON); an archive present on
 * both sides with different bytes is then compared member by member.
 */
async function diffDirectories(a: string, b: string, options: DiffOptions): Promise<ArchiveDiff[]> {
  const read = (root: string) =>
    collectMembers(root, TREE_TRAITS, readTree(root, { maxContentBytes: TEXT_LIMIT_BYTES }));
  const trees = compareMemberSets(await read(a), await read(b));
  const comparisons = [trees];
  for (const member of trees.changed) {
    const contentChanged = member.changes.some((c) => c.field === "content");
    if (!contentChanged || formatOfPath(member.path) === undefined) continue;
    const nested = await diffArchives(
      path.join(a, member.pathA ?? member.path),
      path.join(b, member.path),
      options,
    );
    if (nested.equal && nested.problems.length === 0) {
      member.note = "archive bytes differ, but its members are identical";
    } else {
      member.note = "archive members are compared below";
      comparisons.push(nested);
    }
  }
  return comparisons;
}
