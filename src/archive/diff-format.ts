/** The human-readable form of a diff report, as `envstacks diff` prints it. */
import type { ArchiveDiff, ChangedMember, FieldChange, MemberSummary } from "./diff-compare.js";

/** Comparisons of a report; `equal` when none found a difference. */
export interface DiffReportLike {
  equal: boolean;
  comparisons: ArchiveDiff[];
}

/** `no differences` alone when equal and clean; otherwise one block per comparison. */
export function formatDiffReport(report: DiffReportLike): string {
  const shown = report.comparisons.filter((c) => !c.equal || c.problems.length > 0);
  if (shown.length === 0) return "no differences\n";
  const blocks = shown.map(formatComparison);
  if (report.equal) blocks.push("no differences\n");
  return blocks.join("\n");
}

function formatComparison(diff: ArchiveDiff): string {
  const lines = [`diff ${diff.a} ${diff.b} (members matched by ${diff.matchedBy})`];
  if (diff.topLevelRenamed) {
    lines.push(
      `renamed  top-level directory ${diff.topLevelRenamed.a}/ -> ${diff.topLevelRenamed.b}/`,
    );
  }
  for (const member of diff.removed) lines.push(`removed  ${describe(member)}`);
  for (const member of diff.added) lines.push(`added    ${describe(member)}`);
  for (const member of diff.changed) lines.push(...formatChanged(member));
  if (diff.problems.length > 0) {
    lines.push("problems (reported, not followed):");
    for (const p of diff.problems) {
      lines.push(`  ${p.side === "a" ? diff.a : diff.b}: ${p.path}: ${p.problem}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function describe(member: MemberSummary): string {
  const size = member.type === "file" ? `, ${member.size} bytes` : "";
  return `${member.path} (${member.type}${size})`;
}

function formatChanged(member: ChangedMember): string[] {
  const renamed = member.pathA !== undefined ? ` (was ${member.pathA})` : "";
  const lines = [`changed  ${member.path}${renamed}`];
  for (const change of member.changes) {
    if (change.field === "content") {
      const kind = member.patch !== undefined ? "text" : "binary";
      lines.push(`  content (${kind}): sha256 ${show(change.a)} -> ${show(change.b)}`);
    } else {
      lines.push(`  ${FIELD_NAMES[change.field]}: ${show(change.a)} -> ${show(change.b)}`);
    }
  }
  if (member.note !== undefined) lines.push(`  ${member.note}`);
  if (member.patch !== undefined) lines.push(member.patch.trimEnd());
  return lines;
}

const FIELD_NAMES: Record<Exclude<FieldChange["field"], "content">, string> = {
  type: "type",
  size: "size",
  mode: "mode",
  mtime: "mtime",
  uid: "owner uid",
  gid: "owner gid",
  uname: "owner name",
  gname: "group name",
  linkTarget: "link target",
};

function show(value: FieldChange["a"]): string {
  if (value === null) return "(none)";
  return typeof value === "string" && value === "" ? '""' : String(value);
}
