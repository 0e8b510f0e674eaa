import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { compareMemberSets } from "../../../src/archive/diff-compare.js";
import { formatDiffReport } from "../../../src/archive/diff-format.js";
import {
  ARCHIVE_TRAITS,
  collectMembers,
  type SourceTraits,
} from "../../../src/archive/diff-members.js";
import { type ArchiveMember, memberProblems } from "../../../src/archive/member.js";

const MTIME = new Date("2025-01-01T00:00:00Z");

function file(
  path: string,
  content: string | Buffer,
  extra: Partial<ArchiveMember> = {},
): ArchiveMember {
  const buffer = typeof content === "string" ? Buffer.from(content) : content;
  return {
    ...base(path, "file"),
    size: buffer.length,
    content: buffer,
    sha256: sha256(buffer),
    ...extra,
  };
}

function dir(path: string, extra: Partial<ArchiveMember> = {}): ArchiveMember {
  return { ...base(path, "directory"), mode: 0o755, ...extra };
}

function symlink(path: string, target: string): ArchiveMember {
  return { ...base(path, "symlink"), mode: 0o777, linkTarget: target };
}

function base(path: string, type: ArchiveMember["type"]): ArchiveMember {
  return {
    path,
    type,
    mode: 0o644,
    mtime: MTIME,
    size: 0,
    uid: 0,
    gid: 0,
    uname: "root",
    gname: "root",
    problems: [],
  };
}

/** The members as a reader yields them: with the problems it finds. */
async function* iterate(members: ArchiveMember[]): AsyncIterable<ArchiveMember> {
  for (const member of members) {
    yield { ...member, problems: [...member.problems, ...memberProblems(member)] };
  }
}

async function compare(
  a: ArchiveMember[],
  b: ArchiveMember[],
  traits: [SourceTraits, SourceTraits] = [ARCHIVE_TRAITS.tar, ARCHIVE_TRAITS.tar],
) {
  return compareMemberSets(
    await collectMembers("a.tar.gz", traits[0], iterate(a)),
    await collectMembers("b.tar.gz", traits[1], iterate(b)),
  );
}

const LAYER = [
  dir("app-x/"),
  file("app-x/app/main.mjs", "line 1\nline 2\nline 3\n"),
  file("app-x/bin/tool", Buffer.from([0, 1, 2, 3])),
  symlink("app-x/node_modules/.bin/tool", "../tool/cli.js"),
];

describe("compareMemberSets", () => {
  test("identical members are equal and print one line", async () => {
    const diff = await compare(LAYER, LAYER);
    expect(diff.equal).toBe(true);
    expect(formatDiffReport({ equal: true, comparisons: [diff] })).toBe("no differences\n");
  });

  test("a changed text member is the only one named, with its changed lines", async () => {
    const changedLayer = LAYER.map((m) =>
      m.path === "app-x/app/main.mjs" ? file(m.path, "line 1\nline two\nline 3\n") : m,
    );
    const diff = await compare(LAYER, changedLayer);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map((c) => c.path)).toEqual(["app-x/app/main.mjs"]);
    const [changed] = diff.changed;
    expect(changed?.changes.map((c) => c.field)).toEqual(["size", "content"]);
    expect(changed?.patch).toContain("--- a/app-x/app/main.mjs\n+++ b/app-x/app/main.mjs\n");
    expect(changed?.patch).toContain("-line 2\n+line two\n");
    const text = formatDiffReport({ equal: false, comparisons: [diff] });
    expect(text).toContain("changed  app-x/app/main.mjs\n  size: 21 -> 23\n");
    expect(text).toContain("-line 2\n+line two\n");
    expect(text).not.toContain("bin/tool");
  });

  test("a changed binary member shows both sha256 hashes and no patch", async () => {
    const changedLayer = LAYER.map((m) =>
      m.path === "app-x/bin/tool" ? file(m.path, Buffer.from([0, 1, 2, 4])) : m,
    );
    const diff = await compare(LAYER, changedLayer);
    const [changed] = diff.changed;
    expect(changed?.patch).toBeUndefined();
    const hashA = sha256(Buffer.from([0, 1, 2, 3]));
    const hashB = sha256(Buffer.from([0, 1, 2, 4]));
    expect(changed?.changes).toEqual([{ field: "content", a: hashA, b: hashB }]);
    expect(formatDiffReport({ equal: false, comparisons: [diff] })).toContain(
      `changed  app-x/bin/tool\n  content (binary): sha256 ${hashA} -> ${hashB}\n`,
    );
  });

  test("mode, mtime, owner and symlink target changes are named with both values", async () => {
    const changedLayer = LAYER.map((m) => {
      if (m.path === "app-x/app/main.mjs") {
        return {
          ...m,
          mode: 0o755,
          mtime: new Date("2025-02-01T00:00:00Z"),
          uid: 1000,
          uname: "me",
        };
      }
      return m.type === "symlink" ? symlink(m.path, "../other/cli.js") : m;
    });
    const diff = await compare(LAYER, changedLayer);
    expect(diff.changed).toEqual([
      {
        path: "app-x/app/main.mjs",
        type: "file",
        changes: [
          { field: "mode", a: "0644", b: "0755" },
          { field: "mtime", a: "2025-01-01T00:00:00.000Z", b: "2025-02-01T00:00:00.000Z" },
          { field: "uid", a: 0, b: 1000 },
          { field: "uname", a: "root", b: "me" },
        ],
      },
      {
        path: "app-x/node_modules/.bin/tool",
        type: "symlink",
        changes: [{ field: "linkTarget", a: "../tool/cli.js", b: "../other/cli.js" }],
      },
    ]);
    const text = formatDiffReport({ equal: false, comparisons: [diff] });
    expect(text).toContain("  mode: 0644 -> 0755\n");
    expect(text).toContain("  link target: ../tool/cli.js -> ../other/cli.js\n");
  });

  test("added and removed members are listed with type and size", async () => {
    const diff = await compare(LAYER, [
      ...LAYER.filter((m) => m.path !== "app-x/bin/tool"),
      file("app-x/app/new.mjs", "new\n"),
    ]);
    expect(diff.removed).toEqual([{ path: "app-x/bin/tool", type: "file", size: 4 }]);
    expect(diff.added).toEqual([{ path: "app-x/app/new.mjs", type: "file", size: 4 }]);
    expect(diff.changed).toEqual([]);
    const text = formatDiffReport({ equal: false, comparisons: [diff] });
    expect(text).toContain("removed  app-x/bin/tool (file, 4 bytes)\n");
    expect(text).toContain("added    app-x/app/new.mjs (file, 4 bytes)\n");
  });

  test("a renamed top-level directory is reported once and its contents still compare", async () => {
    const renamed = (top: string) =>
      LAYER.map((m) => ({ ...m, path: m.path.replace(/^app-x/, top) }));
    const a = renamed("framework-web@1");
    const b = renamed("framework-web@2").map((m) =>
      m.path.endsWith("main.mjs") ? file(m.path, "line 1\nline 2\n") : m,
    );
    const diff = await compare(a, b);
    expect(diff.matchedBy).toBe("path below the top-level directory");
    expect(diff.topLevelRenamed).toEqual({ a: "framework-web@1", b: "framework-web@2" });
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map((c) => [c.pathA, c.path])).toEqual([
      ["framework-web@1/app/main.mjs", "framework-web@2/app/main.mjs"],
    ]);
    const text = formatDiffReport({ equal: false, comparisons: [diff] });
    expect(text.match(/renamed/g)).toHaveLength(1);
    expect(text).toContain("renamed  top-level directory framework-web@1/ -> framework-web@2/\n");
  });

  test("several top-level entries are matched by full path", async () => {
    const diff = await compare([file("x.txt", "1"), file("y/z.txt", "2")], [file("x.txt", "1")]);
    expect(diff.matchedBy).toBe("full path");
    expect(diff.removed.map((m) => m.path)).toEqual(["y/z.txt"]);
  });

  test("tar and zip of one tree are equal: no owner in zip, 2-second mtimes, implied directories", async () => {
    const zipped = LAYER.filter((m) => m.type !== "directory").map((m) => ({
      ...m,
      mtime: new Date(MTIME.getTime() + 1000),
      uid: 0,
      uname: "",
      gname: "",
    }));
    const diff = await compare(LAYER, zipped, [ARCHIVE_TRAITS.tar, ARCHIVE_TRAITS.zip]);
    expect(diff).toMatchObject({ equal: true, added: [], removed: [], changed: [] });
  });

  test("hostile members are reported as problems, with the side they come from", async () => {
    const hostile = [
      ...LAYER,
      file("../evil", "x"),
      file("/abs", "x"),
      file("app-x\\win.txt", "x"),
      symlink("app-x/etc", "../../etc"),
      { ...base("app-x/hard", "hardlink"), linkTarget: "app-x/app/main.mjs" },
    ];
    const diff = await compare(LAYER, hostile);
    expect(diff.problems).toEqual([
      { side: "b", path: "../evil", problem: 'path contains ".."' },
      { side: "b", path: "/abs", problem: "path is absolute" },
      { side: "b", path: "app-x\\win.txt", problem: "path contains a backslash" },
      {
        side: "b",
        path: "app-x/etc",
        problem: 'symlink to "../../etc" leaves the archive (not followed)',
      },
      {
        side: "b",
        path: "app-x/hard",
        problem: 'hard link to "app-x/app/main.mjs" (not followed)',
      },
    ]);
    // Still matched below the top-level directory: hostile paths do not count as top levels.
    expect(diff.matchedBy).toBe("path below the top-level directory");
    expect(diff.added.map((m) => m.path)).toEqual([
      "../evil",
      "/abs",
      "app-x/etc",
      "app-x/hard",
      "app-x\\win.txt",
    ]);
    const text = formatDiffReport({ equal: false, comparisons: [diff] });
    expect(text).toContain(
      'problems (reported, not followed):\n  b.tar.gz: ../evil: path contains ".."\n',
    );
  });

  test("problems the reader found are kept; a duplicate member is one more", async () => {
    const diff = await compare(LAYER, [
      ...LAYER,
      { ...file("app-x/big", "x"), problems: ["member is larger than the limit"] },
      file("app-x/big", "y"),
    ]);
    expect(diff.problems).toEqual([
      { side: "b", path: "app-x/big", problem: "member is larger than the limit" },
      {
        side: "b",
        path: "app-x/big",
        problem: "appears more than once; the last copy is compared",
      },
    ]);
    expect(diff.added).toEqual([{ path: "app-x/big", type: "file", size: 1 }]);
  });
});

function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
