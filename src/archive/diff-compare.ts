/**
 * Member-by-member comparison of two member sets. Members are matched by their path below
 * the top-level directory when each side has exactly one (a layer archive renamed from
 * `framework-web@1/` to `framework-web@2/` still compares its contents, and the rename is
 * reported once), otherwise by full path.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import type { Member, MemberProblem, MemberSet, SourceTraits } from "./diff-members.js";
import { memberProblems } from "./member.js";

export type ChangedField =
  | "type"
  | "size"
  | "mode"
  | "mtime"
  | "uid"
  | "gid"
  | "uname"
  | "gname"
  | "linkTarget"
  | "content";

/** One attribute that differs; modes are octal strings, mtimes ISO dates, content sha256. */
export interface FieldChange {
  field: ChangedField;
  a: string | number | null;
  b: string | number | null;
}

export interface MemberSummary {
  path: string;
  type: Member["type"];
  size: number;
}

export interface ChangedMember {
  /** The member's path in B. */
  path: string;
  /** The member's path in A, when it differs (renamed top-level directory). */
  pathA?: string;
  type: Member["type"];
  changes: FieldChange[];
  /** Unified diff of a text member's content. */
  patch?: string;
  /** Extra words about the change, e.g. for an archive inside a directory. */
  note?: string;
}

export interface SideProblem extends MemberProblem {
  side: "a" | "b";
}

export interface ArchiveDiff {
  a: string;
  b: string;
  matchedBy: "full path" | "path below the top-level directory";
  /** Set when each side has one top-level directory and their names differ. */
  topLevelRenamed?: { a: string; b: string };
  added: MemberSummary[];
  removed: MemberSummary[];
  changed: ChangedMember[];
  /** Hostile or suspicious members: reported, never followed. */
  problems: SideProblem[];
  equal: boolean;
}

export function compareMemberSets(a: MemberSet, b: MemberSet): ArchiveDiff {
  const topA = singleTopLevel(a.members);
  const topB = singleTopLevel(b.members);
  const stripTop = topA !== undefined && topB !== undefined;
  const keyed = (set: MemberSet, top: string | undefined) =>
    new Map(set.members.map((m) => [memberKey(m.path, stripTop ? top : undefined), m]));
  const membersA = keyed(a, topA);
  const membersB = keyed(b, topB);
  const traits = commonTraits(a.traits, b.traits);

  const added: MemberSummary[] = [];
  const removed: MemberSummary[] = [];
  const changed: ChangedMember[] = [];
  for (const [key, memberA] of membersA) {
    const memberB = membersB.get(key);
    if (memberB === undefined) {
      if (!impliedDirectory(memberA, key, membersB)) removed.push(summary(memberA));
      continue;
    }
    const change = compareMember(memberA, memberB, traits);
    if (change !== undefined) changed.push(change);
  }
  for (const [key, memberB] of membersB) {
    if (!membersA.has(key) && !impliedDirectory(memberB, key, membersA)) {
      added.push(summary(memberB));
    }
  }
  const byPath = (x: { path: string }, y: { path: string }) => compareStrings(x.path, y.path);
  const problems: SideProblem[] = [
    ...a.problems.map((p) => ({ side: "a" as const, ...p })),
    ...b.problems.map((p) => ({ side: "b" as const, ...p })),
  ];
  const diff: ArchiveDiff = {
    a: a.label,
    b: b.label,
    matchedBy: stripTop ? "path below the top-level directory" : "full path",
    added: added.sort(byPath),
    removed: removed.sort(byPath),
    changed: changed.sort(byPath),
    problems,
    equal: added.length === 0 && removed.length === 0 && changed.length === 0,
  };
  if (stripTop && topA !== topB) {
    diff.topLevelRenamed = { a: topA, b: topB };
    diff.equal = false;
  }
  return diff;
}

/**
 * The one directory every member lies in (the layer archive layout), if there is one.
 * Hostile members do not count: they are matched by full path either way.
 */
function singleTopLevel(members: readonly Member[]): string | undefined {
  const tops = new Set<string>();
  for (const member of members) {
    if (isHostilePath(member.path)) continue;
    const slash = member.path.indexOf("/");
    if (slash < 0 && member.type !== "directory") return undefined;
    tops.add(slash < 0 ? member.path : member.path.slice(0, slash));
  }
  return tops.size === 1 ? [...tops][0] : undefined;
}

/** Keys of members outside the top-level directory start with NUL, which no stripped key does. */
function memberKey(memberPath: string, top: string | undefined): string {
  if (top === undefined) return memberPath;
  if (memberPath === top) return "";
  if (memberPath.startsWith(`${top}/`) && !isHostilePath(memberPath)) {
    return memberPath.slice(top.length + 1);
  }
  return `\0${memberPath}`;
}

/** Zip archives often omit directory entries that tar archives carry: not a difference. */
function impliedDirectory(member: Member, key: string, other: Map<string, Member>): boolean {
  if (member.type !== "directory") return false;
  const prefix = key === "" ? "" : `${key}/`;
  for (const otherKey of other.keys()) if (otherKey.startsWith(prefix)) return true;
  return false;
}

function commonTraits(a: SourceTraits, b: SourceTraits): SourceTraits {
  const traits: SourceTraits = { owner: a.owner && b.owner };
  if (a.mtimeResolutionMs !== undefined && b.mtimeResolutionMs !== undefined) {
    traits.mtimeResolutionMs = Math.max(a.mtimeResolutionMs, b.mtimeResolutionMs);
  }
  return traits;
}

function compareMember(a: Member, b: Member, traits: SourceTraits): ChangedMember | undefined {
  const changes: FieldChange[] = [];
  const note = (field: ChangedField, valueA: FieldChange["a"], valueB: FieldChange["b"]) => {
    if (valueA !== valueB) changes.push({ field, a: valueA, b: valueB });
  };
  note("type", a.type, b.type);
  if (a.type === "file" && b.type === "file") note("size", a.size, b.size);
  note("mode", octal(a.mode), octal(b.mode));
  const resolution = traits.mtimeResolutionMs;
  if (
    resolution !== undefined &&
    Math.floor(a.mtimeMs / resolution) !== Math.floor(b.mtimeMs / resolution)
  ) {
    changes.push({ field: "mtime", a: isoDate(a.mtimeMs), b: isoDate(b.mtimeMs) });
  }
  if (traits.owner) {
    note("uid", a.uid, b.uid);
    note("gid", a.gid, b.gid);
    note("uname", a.uname, b.uname);
    note("gname", a.gname, b.gname);
  }
  note("linkTarget", a.linkTarget ?? null, b.linkTarget ?? null);
  let patch: string | undefined;
  if (a.type === "file" && b.type === "file" && a.sha256 !== b.sha256) {
    changes.push({ field: "content", a: a.sha256 ?? null, b: b.sha256 ?? null });
    if (a.text !== undefined && b.text !== undefined) {
      patch = createTwoFilesPatch(
        `a/${a.path}`,
        `b/${b.path}`,
        a.text,
        b.text,
        undefined,
        undefined,
        {
          headerOptions: FILE_HEADERS_ONLY,
        },
      );
    }
  }
  if (changes.length === 0) return undefined;
  const changed: ChangedMember = { path: b.path, type: b.type, changes };
  if (a.path !== b.path) changed.pathA = a.path;
  if (patch !== undefined) changed.patch = patch;
  return changed;
}

function summary(member: Member): MemberSummary {
  return { path: member.path, type: member.type, size: member.size };
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

function isoDate(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** Code-point order, the same on every machine and locale. */
function compareStrings(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Absolute, `..`, backslashes: such a member stays matched by its full path. */
function isHostilePath(memberPath: string): boolean {
  return memberProblems({ path: memberPath, type: "directory" }).length > 0;
}
