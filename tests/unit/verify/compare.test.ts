import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { compareFiles, formatComparisons, listFiles } from "../../../src/verify/compare.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, ...relative.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

async function twoTrees(
  actual: Record<string, string | Buffer>,
  expected: Record<string, string | Buffer>,
): Promise<{ actual: string; expected: string }> {
  const roots = { actual: path.join(tempDir(), "actual"), expected: path.join(tempDir(), "exp") };
  await writeTree(roots.actual, actual);
  await writeTree(roots.expected, expected);
  return roots;
}

describe("compareFiles", () => {
  test("sorts the union of both trees into same, changed, added and removed", async () => {
    const roots = await twoTrees(
      {
        "requirements/app-server/package-lock.json": '{\n  "ms": "2.0.0"\n}\n',
        "requirements/app-new/package.json": "{}\n",
        "same.txt": "one\n",
      },
      {
        "requirements/app-server/package-lock.json": '{\n  "ms": "2.1.3"\n}\n',
        "requirements/app-gone/package.json": "{}\n",
        "same.txt": "one\n",
      },
    );
    const result = await compareFiles(roots.actual, roots.expected);
    expect(result.map(({ path, status }) => [path, status])).toEqual([
      ["requirements/app-gone/package.json", "removed"],
      ["requirements/app-new/package.json", "added"],
      ["requirements/app-server/package-lock.json", "changed"],
      ["same.txt", "same"],
    ]);
    expect(result.find((c) => c.status === "same")?.patch).toBeUndefined();
  });

  test("patches go from the expected (old) file to the actual (new) one", async () => {
    const roots = await twoTrees(
      { "requirements/app-server/package-lock.json": '{\n  "ms": "2.0.0"\n}\n' },
      { "requirements/app-server/package-lock.json": '{\n  "ms": "2.1.3"\n}\n' },
    );
    const [changed] = await compareFiles(roots.actual, roots.expected);
    const patch = changed?.patch ?? "";
    expect(patch).toContain("--- expected/requirements/app-server/package-lock.json");
    expect(patch).toContain("+++ actual/requirements/app-server/package-lock.json");
    expect(patch).toContain('-  "ms": "2.1.3"');
    expect(patch).toContain('+  "ms": "2.0.0"');
  });

  test("an added file is all additions, a removed one all removals", async () => {
    const roots = await twoTrees({ "new.json": "fresh\n" }, { "old.json": "committed\n" });
    const result = await compareFiles(roots.actual, roots.expected);
    const patchOf = (p: string) => result.find((c) => c.path === p)?.patch ?? "";
    expect(patchOf("new.json")).toContain("--- /dev/null");
    expect(patchOf("new.json")).toContain("+fresh");
    expect(patchOf("old.json")).toContain("+++ /dev/null");
    expect(patchOf("old.json")).toContain("-committed");
  });

  test("only the named paths are compared when given; a missing root is an empty tree", async () => {
    const roots = await twoTrees({ "a.txt": "a\n", "b.txt": "b\n" }, {});
    const result = await compareFiles(roots.actual, path.join(tempDir(), "nowhere"), ["b.txt"]);
    expect(result.map(({ path, status }) => [path, status])).toEqual([["b.txt", "added"]]);
    expect(await listFiles(path.join(tempDir(), "nowhere"))).toEqual([]);
  });

  test("binary files are reported without a text diff", async () => {
    const roots = await twoTrees(
      { "x.bin": Buffer.from([0, 1, 2]) },
      { "x.bin": Buffer.from([0, 1, 3]) },
    );
    const [changed] = await compareFiles(roots.actual, roots.expected);
    expect(changed?.patch).toBe("Binary files expected/x.bin and actual/x.bin differ\n");
  });
});

describe("formatComparisons", () => {
  test("one block per differing file and a summary", async () => {
    const roots = await twoTrees(
      { "a.txt": "new\n", "b.txt": "b\n", "c.txt": "c\n" },
      { "a.txt": "old\n", "b.txt": "b\n", "d.txt": "d\n" },
    );
    const text = formatComparisons(await compareFiles(roots.actual, roots.expected));
    expect(text).toContain("changed: a.txt\n");
    expect(text).toContain("added: c.txt\n");
    expect(text).toContain("removed: d.txt\n");
    expect(text).not.toContain("b.txt");
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "3 of 4 files differ: 1 changed, 1 added, 1 removed",
    );
  });

  test("says so when everything matches", async () => {
    const roots = await twoTrees({ "a.txt": "a\n" }, { "a.txt": "a\n" });
    expect(formatComparisons(await compareFiles(roots.actual, roots.expected))).toBe(
      "1 file matches\n",
    );
  });
});
