/**
 * readArchive on archives nobody should trust: hostile names and links are reported in
 * `problems` (never followed, nothing written), and an archive that unpacks to too much
 * stops with a clear error.
 */
import { createWriteStream } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tarStream from "tar-stream";
import { describe, expect, test } from "vitest";
import yazl from "yazl";
import { type ArchiveMember, readArchive } from "../../../src/archive/read.js";
import { EnvstacksError } from "../../../src/errors.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

async function readAll(
  archive: string,
  options: Parameters<typeof readArchive>[1] = {},
): Promise<ArchiveMember[]> {
  const all: ArchiveMember[] = [];
  for await (const member of readArchive(archive, options)) all.push(member);
  return all;
}

function problemsByPath(members: ArchiveMember[]): Record<string, string[]> {
  return Object.fromEntries(members.map((m) => [m.path, m.problems]));
}

type TarEntry = Parameters<tarStream.Pack["entry"]>[0] & { content?: string };

async function craftTar(file: string, entries: TarEntry[], gzip = false): Promise<void> {
  const pack = tarStream.pack();
  const writing = gzip
    ? pipeline(pack, createGzip(), createWriteStream(file))
    : pipeline(pack, createWriteStream(file));
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (content !== undefined) pack.entry(header, content, done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await writing;
}

/**
 * yazl refuses hostile names, so the zip is written with same-length placeholders that are
 * then replaced in the bytes (names sit uncompressed in local and central headers).
 */
async function craftZip(
  file: string,
  entries: { name: string; content?: string; symlink?: string }[],
): Promise<void> {
  const zip = new yazl.ZipFile();
  // `Z` + x… + index + `Z`: no placeholder is part of another.
  const placeholders = entries.map(
    (e, i) => `Z${"x".repeat(e.name.length - String(i).length - 2)}${i}Z`,
  );
  entries.forEach((entry, i) => {
    const name = placeholders[i] as string;
    if (entry.symlink !== undefined) {
      zip.addBuffer(Buffer.from(entry.symlink), name, { mode: 0o120777, compress: false });
    } else {
      zip.addBuffer(Buffer.from(entry.content ?? ""), name, { mode: 0o100644 });
    }
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  let bytes: Buffer = Buffer.concat(chunks);
  entries.forEach((entry, i) => {
    bytes = replaceAll(bytes, Buffer.from(placeholders[i] as string), Buffer.from(entry.name));
  });
  await writeFile(file, bytes);
}

function replaceAll(haystack: Buffer, from: Buffer, to: Buffer): Buffer {
  const copy = Buffer.from(haystack);
  for (let at = copy.indexOf(from); at >= 0; at = copy.indexOf(from, at + 1)) to.copy(copy, at);
  return copy;
}

describe("hostile members are flagged, not followed", () => {
  test("tar: absolute and climbing names, links out, hard links, devices", async () => {
    const archive = path.join(tempDir(), "evil.tar.gz");
    await craftTar(
      archive,
      [
        { name: "ok/file.txt", content: "fine" },
        { name: "/etc/passwd", content: "root" },
        { name: "ok/../../escape.txt", content: "x" },
        { name: "ok/abs-link", type: "symlink", linkname: "/etc/shadow" },
        { name: "ok/up-link", type: "symlink", linkname: "../../outside" },
        { name: "ok/in-link", type: "symlink", linkname: "../ok/file.txt" },
        { name: "ok/hard", type: "link", linkname: "../etc/passwd" },
        { name: "ok/dev", type: "character-device", devmajor: 1, devminor: 3 },
        { name: "ok/fifo", type: "fifo" },
      ],
      true,
    );
    const before = await readdir(tempDir());
    const read = await readAll(archive);
    expect(problemsByPath(read)).toEqual({
      "ok/file.txt": [],
      "/etc/passwd": ["path is absolute"],
      "ok/../../escape.txt": ['path contains ".."'],
      "ok/abs-link": ['symlink to an absolute path "/etc/shadow" (not followed)'],
      "ok/up-link": ['symlink to "../../outside" leaves the archive (not followed)'],
      "ok/in-link": [],
      "ok/hard": ['hard link to "../etc/passwd" (not followed)', 'hard link target contains ".."'],
      "ok/dev": ["is a character-device, not a file, directory or link"],
      "ok/fifo": ["is a fifo, not a file, directory or link"],
    });
    expect(read.find((m) => m.path === "ok/hard")?.type).toBe("hardlink");
    expect(read.find((m) => m.path === "ok/dev")?.type).toBe("other");
    // Read as data: nothing was written next to the archive.
    expect(await readdir(tempDir())).toEqual(before);
  });

  test("zip: backslash, absolute and climbing names, links out", async () => {
    const archive = path.join(tempDir(), "evil.zip");
    await craftZip(archive, [
      { name: "ok/file.txt", content: "fine" },
      { name: "..\\..\\evil.txt", content: "x" },
      { name: "/abs/file.txt", content: "x" },
      { name: "C:/windows/x.dll", content: "x" },
      { name: "ok/../../up.txt", content: "x" },
      { name: "ok/link-out", symlink: "../../../etc" },
      { name: "ok/link-abs", symlink: "/etc/passwd" },
    ]);
    const read = await readAll(archive);
    expect(problemsByPath(read)).toEqual({
      "ok/file.txt": [],
      "..\\..\\evil.txt": ["path contains a backslash", 'path contains ".."'],
      "/abs/file.txt": ["path is absolute"],
      "C:/windows/x.dll": ["path is absolute"],
      "ok/../../up.txt": ['path contains ".."'],
      "ok/link-out": ['symlink to "../../../etc" leaves the archive (not followed)'],
      "ok/link-abs": ['symlink to an absolute path "/etc/passwd" (not followed)'],
    });
    const link = read.find((m) => m.path === "ok/link-out");
    expect([link?.type, link?.linkTarget]).toEqual(["symlink", "../../../etc"]);
  });

  test("a file that is no archive is an error naming it", async () => {
    const file = path.join(tempDir(), "notes.tar");
    await writeFile(
      file,
      "just some text, long enough to be mistaken for nothing at all\n".repeat(20),
    );
    const error = await readAll(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvstacksError);
    expect((error as Error).message).toContain(`${file}: not a readable tar archive`);
  });
});

describe("size limits", () => {
  const zeros = Buffer.alloc(8 * 1024 * 1024);

  test("a zip bomb stops at maxTotalBytes", async () => {
    const archive = path.join(tempDir(), "bomb.zip");
    await craftZip(archive, [
      { name: "a.bin", content: zeros.toString("latin1") },
      { name: "b.bin", content: zeros.toString("latin1") },
    ]);
    expect((await readFile(archive)).length).toBeLessThan(100_000);
    await expect(readAll(archive, { maxTotalBytes: 10 * 1024 * 1024 })).rejects.toThrow(
      `${archive}: unpacks to more than ${10 * 1024 * 1024} bytes (maxTotalBytes); stopped reading`,
    );
    // Within the limit, the same archive reads (the limit is what stopped it).
    expect(await readAll(archive, { maxTotalBytes: 20 * 1024 * 1024 })).toHaveLength(2);
  });

  test("a tar.gz bomb stops at maxTotalBytes", async () => {
    const archive = path.join(tempDir(), "bomb.tar.gz");
    const part = Buffer.alloc(600 * 1024).toString("latin1");
    await craftTar(
      archive,
      [
        { name: "zeros-1", content: part },
        { name: "zeros-2", content: part },
      ],
      true,
    );
    await expect(readAll(archive, { maxTotalBytes: 1024 * 1024 })).rejects.toThrow(
      "(maxTotalBytes); stopped reading",
    );
  });

  test("one member above maxMemberBytes stops reading, naming it", async () => {
    const archive = path.join(tempDir(), "big.tar");
    await craftTar(archive, [{ name: "big.bin", content: "x".repeat(5000) }]);
    await expect(readAll(archive, { maxMemberBytes: 4096 })).rejects.toThrow(
      `${archive}: member big.bin unpacks to 5000 bytes, more than the limit of 4096 (maxMemberBytes)`,
    );
  });

  test("content is kept up to maxContentBytes, larger files come with their sha256 only", async () => {
    const archive = path.join(tempDir(), "sizes.tgz");
    await craftTar(
      archive,
      [
        { name: "small", content: "1234" },
        { name: "large", content: "12345" },
      ],
      true,
    );
    const [small, large] = await readAll(archive, { maxContentBytes: 4 });
    expect(small?.content?.toString()).toBe("1234");
    expect(large?.content).toBeUndefined();
    expect(large?.size).toBe(5);
    expect(large?.sha256).toBe("5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5");
  });
});
