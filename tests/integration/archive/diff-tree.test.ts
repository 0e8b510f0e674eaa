import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { compareMemberSets } from "../../../src/archive/diff-compare.js";
import { collectMembers, TREE_TRAITS } from "../../../src/archive/diff-members.js";
import type { ArchiveMember } from "../../../src/archive/member.js";
import { readTree } from "../../../src/archive/tree-reader.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

async function list(root: string, maxContentBytes = 1024): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  for await (const member of readTree(root, { maxContentBytes })) members.push(member);
  return members;
}

describe("readTree", () => {
  test("reads files, directories and links below the root without following links", async () => {
    const root = path.join(tempDir(), "out");
    await mkdir(path.join(root, "layer", "bin"), { recursive: true });
    await writeFile(path.join(root, "layer", "bin", "tool"), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(path.join(root, "big.bin"), Buffer.alloc(2048, 1));
    const outside = path.join(tempDir(), "outside");
    await mkdir(outside);
    await writeFile(path.join(outside, "secret"), "not to be read");
    await symlink("../outside", path.join(root, "escape"));
    await symlink("bin/tool", path.join(root, "layer", "tool"));

    const members = await list(root);
    expect(members.map((m) => [m.path, m.type])).toEqual([
      ["big.bin", "file"],
      ["escape", "symlink"],
      ["layer", "directory"],
      ["layer/bin", "directory"],
      ["layer/bin/tool", "file"],
      ["layer/tool", "symlink"],
    ]);
    const byPath = new Map(members.map((m) => [m.path, m]));
    expect(byPath.get("layer/bin/tool")).toMatchObject({
      mode: 0o755,
      size: 10,
      content: Buffer.from("#!/bin/sh\n"),
    });
    // Over the content limit: hashed, not held.
    expect(byPath.get("big.bin")?.content).toBeUndefined();
    expect(byPath.get("big.bin")?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(byPath.get("escape")?.linkTarget).toBe("../outside");

    const set = await collectMembers(root, TREE_TRAITS, readTree(root, { maxContentBytes: 1024 }));
    expect(set.problems).toEqual([
      { path: "escape", problem: 'symlink to "../outside" leaves the archive (not followed)' },
    ]);
  });

  test("two directories compare by content, mode and link target, not mtime", async () => {
    const make = async (name: string, text: string, mode: number) => {
      const root = path.join(tempDir(), name);
      await mkdir(root);
      await writeFile(path.join(root, "meta.json"), text, { mode });
      await writeFile(path.join(root, "same.txt"), "same\n");
      return root;
    };
    const a = await make("a", '{\n  "lock_version": 1\n}\n', 0o644);
    // Written later: a different mtime, which is not a difference between directories.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = await make("b", '{\n  "lock_version": 2\n}\n', 0o600);
    const read = (root: string) =>
      collectMembers(root, TREE_TRAITS, readTree(root, { maxContentBytes: 1024 }));
    const diff = compareMemberSets(await read(a), await read(b));
    expect(diff.changed.map((c) => [c.path, c.changes.map((x) => x.field)])).toEqual([
      ["meta.json", ["mode", "content"]],
    ]);
    expect(diff.changed[0]?.patch).toContain('-  "lock_version": 1\n+  "lock_version": 2\n');
  });
});
