/**
 * `diffPaths` on real archives built here with tar-stream, yazl, zlib and xz: the formats
 * `envstacks diff` reads, including hostile ones, which it must report and never follow.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, test } from "vitest";
import yazl from "yazl";
import { diffPaths, formatDiffReport } from "../../../src/archive/diff.js";
import { writeArchive } from "../../../src/archive/write.js";
import { UsageError } from "../../../src/errors.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const MTIME = new Date("2025-03-01T12:00:00Z");

interface Entry {
  name: string;
  type?: "file" | "directory" | "symlink";
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

function tarBuffer(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const header = {
      name: entry.name,
      type,
      mode: entry.mode ?? (type === "file" ? 0o644 : type === "directory" ? 0o755 : 0o777),
      mtime: MTIME,
      uid: 0,
      gid: 0,
      uname: "root",
      gname: "root",
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
    };
    pack.entry(header, type === "file" ? toBuffer(entry.content) : "");
  }
  pack.finalize();
  return collect(pack);
}

function zipBuffer(entries: Entry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    const type = entry.type ?? "file";
    if (type === "directory") {
      zip.addEmptyDirectory(entry.name, { mtime: MTIME, mode: 0o40755 });
    } else if (type === "symlink") {
      zip.addBuffer(Buffer.from(entry.linkname ?? ""), entry.name, {
        mtime: MTIME,
        mode: 0o120777,
      });
    } else {
      zip.addBuffer(toBuffer(entry.content), entry.name, {
        mtime: MTIME,
        mode: 0o100000 | (entry.mode ?? 0o644),
      });
    }
  }
  zip.end();
  return collect(zip.outputStream);
}

function toBuffer(content: string | Buffer | undefined): Buffer {
  return typeof content === "string" ? Buffer.from(content) : (content ?? Buffer.alloc(0));
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function xz(buffer: Buffer): Buffer {
  const result = spawnSync("xz", ["-c", "-T1"], { input: buffer, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`xz failed: ${result.stderr.toString()}`);
  return result.stdout;
}

async function write(name: string, content: Buffer): Promise<string> {
  const file = path.join(tempDir(), name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

const MAIN = "export const greeting = 'hello';\nexport const count = 1;\nconsole.log(greeting);\n";

function layer(top: string, main = MAIN, tool: Buffer = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0])) {
  return [
    { name: `${top}/`, type: "directory" as const },
    { name: `${top}/app/`, type: "directory" as const },
    { name: `${top}/app/main.mjs`, content: main },
    { name: `${top}/app/util.mjs`, content: "export {};\n" },
    { name: `${top}/bin/`, type: "directory" as const },
    { name: `${top}/bin/tool`, content: tool, mode: 0o755 },
    { name: `${top}/tool`, type: "symlink" as const, linkname: "bin/tool" },
  ];
}

describe("diffPaths on archives", () => {
  test("two tar.gz archives differing in one text file: only that file, with the changed lines", async () => {
    const a = await write("a.tar.gz", gzipSync(await tarBuffer(layer("app-x"))));
    const changed = MAIN.replace("count = 1", "count = 2");
    const b = await write("b.tar.gz", gzipSync(await tarBuffer(layer("app-x", changed))));
    const report = await diffPaths(a, b);
    expect(report.equal).toBe(false);
    const [comparison] = report.comparisons;
    expect(comparison?.added).toEqual([]);
    expect(comparison?.removed).toEqual([]);
    expect(comparison?.changed.map((c) => c.path)).toEqual(["app-x/app/main.mjs"]);
    const text = formatDiffReport(report);
    expect(text).toContain("changed  app-x/app/main.mjs\n");
    expect(text).toContain("-export const count = 1;\n+export const count = 2;\n");
    expect(text).not.toMatch(/util\.mjs|bin\/tool/);
  });

  test("a binary change in zip archives shows the two sha256 hashes", async () => {
    const a = await write("a.zip", await zipBuffer(layer("app-x")));
    const b = await write(
      "b.zip",
      await zipBuffer(layer("app-x", MAIN, Buffer.from([0x7f, 1, 0]))),
    );
    const report = await diffPaths(a, b);
    const [changed] = report.comparisons[0]?.changed ?? [];
    expect(changed?.path).toBe("app-x/bin/tool");
    expect(changed?.patch).toBeUndefined();
    expect(changed?.changes.find((c) => c.field === "content")).toEqual({
      field: "content",
      a: expect.stringMatching(/^[0-9a-f]{64}$/),
      b: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test("identical archives are equal and print only 'no differences'", async () => {
    const a = await write("a.tar", await tarBuffer(layer("app-x")));
    const b = await write("b.tar", await tarBuffer(layer("app-x")));
    const report = await diffPaths(a, b);
    expect(report.equal).toBe(true);
    expect(formatDiffReport(report)).toBe("no differences\n");
  });

  test("tar.xz and zip of the same tree are equal", async () => {
    const a = await write("a.tar.xz", xz(await tarBuffer(layer("app-x"))));
    const b = await write("b.zip", await zipBuffer(layer("app-x")));
    const report = await diffPaths(a, b);
    expect(report.comparisons[0]).toMatchObject({ added: [], removed: [], changed: [] });
    expect(report.equal).toBe(true);
  });

  test("mode, symlink target, added and removed members", async () => {
    const a = await write("a.tar.gz", gzipSync(await tarBuffer(layer("app-x"))));
    const changedEntries = layer("app-x")
      .filter((e) => !e.name.endsWith("util.mjs"))
      .map((e) => (e.name.endsWith("main.mjs") ? { ...e, mode: 0o600 } : e))
      .map((e) => (e.type === "symlink" ? { ...e, linkname: "app/main.mjs" } : e));
    changedEntries.push({ name: "app-x/app/new.mjs", content: "new\n" });
    const b = await write("b.tar.gz", gzipSync(await tarBuffer(changedEntries)));
    const [comparison] = (await diffPaths(a, b)).comparisons;
    expect(comparison?.removed.map((m) => m.path)).toEqual(["app-x/app/util.mjs"]);
    expect(comparison?.added.map((m) => m.path)).toEqual(["app-x/app/new.mjs"]);
    expect(comparison?.changed.map((c) => [c.path, c.changes])).toEqual([
      ["app-x/app/main.mjs", [{ field: "mode", a: "0644", b: "0600" }]],
      ["app-x/tool", [{ field: "linkTarget", a: "bin/tool", b: "app/main.mjs" }]],
    ]);
  });

  test("a renamed top-level directory still compares the layer contents", async () => {
    const a = await write("framework-web@1.tar.xz", xz(await tarBuffer(layer("framework-web@1"))));
    const b = await write(
      "framework-web@2.tar.xz",
      xz(await tarBuffer(layer("framework-web@2", MAIN.replace("hello", "hi")))),
    );
    const report = await diffPaths(a, b);
    const [comparison] = report.comparisons;
    expect(comparison?.topLevelRenamed).toEqual({ a: "framework-web@1", b: "framework-web@2" });
    expect(comparison?.changed.map((c) => c.path)).toEqual(["framework-web@2/app/main.mjs"]);
    expect(formatDiffReport(report)).toContain(
      "renamed  top-level directory framework-web@1/ -> framework-web@2/\n",
    );
  });

  test("hostile members are reported and nothing is written outside", async () => {
    const a = await write("in/a.tar", await tarBuffer(layer("app-x")));
    const b = await write(
      "in/b.tar",
      await tarBuffer([
        ...layer("app-x"),
        { name: "../evil", content: "evil\n" },
        { name: "/abs", content: "abs\n" },
        { name: "app-x/etc", type: "symlink", linkname: "../../etc" },
      ]),
    );
    const before = await readdir(tempDir());
    const report = await diffPaths(a, b);
    const problems = report.comparisons[0]?.problems ?? [];
    expect(problems.map((p) => [p.side, p.path])).toEqual(
      expect.arrayContaining([
        ["b", expect.stringMatching(/^(\.\.\/)?evil$/)],
        ["b", expect.stringMatching(/abs$/)],
        ["b", "app-x/etc"],
      ]),
    );
    expect(problems.find((p) => p.path === "app-x/etc")?.problem).toMatch(/\.\.\/\.\.\/etc/);
    expect(formatDiffReport(report)).toContain("problems (reported, not followed):\n");
    expect(await readdir(tempDir())).toEqual(before);
    expect(await readdir(path.join(tempDir(), "in"))).toEqual(["a.tar", "b.tar"]);
  });

  test("a zip bomb stops at the size limit with a clear error", async () => {
    const a = await write("a.zip", await zipBuffer(layer("app-x")));
    const bomb = await write(
      "bomb.zip",
      await zipBuffer([{ name: "app-x/zeros", content: Buffer.alloc(8 * 1024 * 1024) }]),
    );
    await expect(diffPaths(a, bomb, { maxMemberBytes: 1024 * 1024 })).rejects.toThrow(
      /app-x\/zeros|limit|larger|exceed/i,
    );
  });

  test("usage errors: a missing path, an unknown format, an archive with a directory", async () => {
    const a = await write("a.tar", await tarBuffer(layer("app-x")));
    const missing = path.join(tempDir(), "missing.tar");
    await expect(diffPaths(a, missing)).rejects.toThrow(
      new UsageError(`${missing}: no such file or directory`),
    );
    const rar = await write("b.rar", Buffer.from("Rar!"));
    await expect(diffPaths(a, rar)).rejects.toThrow(/b\.rar: unknown archive format/);
    await expect(diffPaths(a, tempDir())).rejects.toBeInstanceOf(UsageError);
  });
});

describe("diffPaths on archives from envstacks' own writer", () => {
  test("every format of one layer equals every other; a changed file is the only difference", async () => {
    const source = path.join(tempDir(), "layer");
    await mkdir(path.join(source, "bin"), { recursive: true });
    await writeFile(path.join(source, "app.mjs"), MAIN);
    await writeFile(path.join(source, "bin", "tool"), "#!/bin/sh\n", { mode: 0o755 });
    const written: string[] = [];
    for (const format of ["tar", "tar.gz", "tar.xz", "zip"] as const) {
      const file = path.join(tempDir(), `app-x.${format}`);
      await writeArchive(source, "app-x", file, { format, mtime: MTIME });
      written.push(file);
    }
    for (const a of written) {
      for (const b of written) expect((await diffPaths(a, b)).equal, `${a} vs ${b}`).toBe(true);
    }
    await writeFile(path.join(source, "app.mjs"), MAIN.replace("hello", "hi"));
    const changed = path.join(tempDir(), "changed.zip");
    await writeArchive(source, "app-x", changed, { format: "zip", mtime: MTIME });
    const [comparison] = (await diffPaths(written[2] ?? "", changed)).comparisons;
    expect(comparison?.changed.map((c) => c.path)).toEqual(["app-x/app.mjs"]);
    expect(comparison?.added).toEqual([]);
    expect(comparison?.removed).toEqual([]);
  });
});

describe("diffPaths on two output directories", () => {
  async function output(name: string, lockVersion: number, main: string) {
    const root = path.join(tempDir(), name);
    const metadata = { layer_name: "app-x", install_target: "app-x", lock_version: lockVersion };
    await mkdir(path.join(root, "__envstacks__", "env_metadata"), { recursive: true });
    await writeFile(
      path.join(root, "__envstacks__", "env_metadata", "app-x.json"),
      `${JSON.stringify(metadata, null, 2)}\n`,
    );
    await writeFile(path.join(root, "app-x.tar.xz"), xz(await tarBuffer(layer("app-x", main))));
    await writeFile(path.join(root, "node-22.tar.xz"), xz(await tarBuffer(layer("node-22"))));
    return root;
  }

  test("metadata JSON as text and same-named archives member by member", async () => {
    const a = await output("out-a", 1, MAIN);
    const b = await output("out-b", 2, MAIN.replace("hello", "bonjour"));
    const report = await diffPaths(a, b);
    expect(report.kind).toBe("directories");
    expect(report.equal).toBe(false);
    const [trees, archive, ...rest] = report.comparisons;
    expect(rest).toEqual([]);
    expect(trees?.changed.map((c) => c.path)).toEqual([
      "__envstacks__/env_metadata/app-x.json",
      "app-x.tar.xz",
    ]);
    expect(trees?.changed[0]?.patch).toContain('-  "lock_version": 1\n+  "lock_version": 2\n');
    expect(archive?.a).toBe(path.join(a, "app-x.tar.xz"));
    expect(archive?.changed.map((c) => c.path)).toEqual(["app-x/app/main.mjs"]);
    const text = formatDiffReport(report);
    expect(text).toContain("+export const greeting = 'bonjour';\n");
    expect(text).not.toContain("node-22");
  });

  test("identical output directories are equal", async () => {
    const report = await diffPaths(await output("out-a", 1, MAIN), await output("out-b", 1, MAIN));
    expect(report.equal).toBe(true);
    expect(formatDiffReport(report)).toBe("no differences\n");
  });
});
