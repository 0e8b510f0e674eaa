/**
 * Hostile archives given to `envstacks diff` (issue 8, point 6), through the built CLI:
 * climbing and absolute member names, symlinks pointing out, hard links, zip names with
 * backslashes are listed as problems and never followed or written; a zip bomb stops at the
 * size limit with one message. Nothing appears outside the test's temp dir.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, deflateRawSync } from "node:zlib";
import tarStream from "tar-stream";
import { describe, expect, test } from "vitest";
import yazl from "yazl";
import { envstacks } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();
/** In every hostile name: whatever carries it outside the temp dir was written by envstacks. */
const MARK = `evil-${randomBytes(4).toString("hex")}`;
const SECRET = `TOP-SECRET-${MARK}`;

type TarEntry = Parameters<tarStream.Pack["entry"]>[0] & { content?: string };

async function writeTarGz(file: string, entries: TarEntry[]): Promise<void> {
  const pack = tarStream.pack();
  const writing = pipeline(pack, createGzip(), createWriteStream(file));
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

/** yazl refuses backslashes: same-length placeholders are swapped for the names in the bytes. */
async function writeZip(file: string, entries: { name: string; content: string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  const placeholders = entries.map(
    (e, i) => `Z${"x".repeat(e.name.length - String(i).length - 2)}${i}Z`,
  );
  entries.forEach((entry, i) => {
    zip.addBuffer(Buffer.from(entry.content), placeholders[i] as string, { mode: 0o100644 });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  entries.forEach((entry, i) => {
    const from = Buffer.from(placeholders[i] as string);
    for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 1)) {
      Buffer.from(entry.name).copy(bytes, at);
    }
  });
  await writeFile(file, bytes);
}

/**
 * A zip whose one member says (zip64) it unpacks to `size` bytes: a bomb's header. Its data
 * is a small deflate stream, never reached when the limit is enforced first.
 */
async function writeZipBomb(file: string, name: string, size: bigint): Promise<void> {
  const data = deflateRawSync(Buffer.alloc(1024));
  const nameBytes = Buffer.from(name);
  const zip64 = (fields: bigint[]) => {
    const extra = Buffer.alloc(4 + 8 * fields.length);
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * fields.length, 2);
    for (const [i, value] of fields.entries()) extra.writeBigUInt64LE(value, 4 + 8 * i);
    return extra;
  };
  const localExtra = zip64([size, BigInt(data.length)]);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4); // version needed: zip64
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(0x21, 12); // 1980-01-01
  local.writeUInt32LE(0xffffffff, 18);
  local.writeUInt32LE(0xffffffff, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(localExtra.length, 28);
  const localPart = Buffer.concat([local, nameBytes, localExtra, data]);

  const centralExtra = zip64([size, BigInt(data.length), 0n]);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 45, 4); // made by Unix
  central.writeUInt16LE(45, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(0x21, 14);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt16LE(centralExtra.length, 30);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  central.writeUInt32LE(0xffffffff, 42);
  const centralPart = Buffer.concat([central, nameBytes, centralExtra]);

  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  await writeFile(file, Buffer.concat([localPart, centralPart, end]));
}

/** Every path below `dir`, and the names directly in the OS temp dir, that carry MARK. */
async function markedOutside(root: string, allowed: string[]): Promise<string[]> {
  const below = (await readdir(root, { recursive: true })).map((p) => path.join(root, p));
  const inTmp = (await readdir(tmpdir())).map((p) => path.join(tmpdir(), p));
  return [...below, ...inTmp].filter((p) => p.includes(MARK) && !allowed.includes(p));
}

/** Runs `diff a b` in `work`; checks that nothing new appeared in the temp dir or beside it. */
async function diffInSandbox(a: string, b: string, work: string, root: string) {
  const archives = [path.join(work, a), path.join(work, b)];
  const rootBefore = (await readdir(root, { recursive: true })).sort();
  const run = await envstacks(["diff", a, b], work);
  expect((await readdir(root, { recursive: true })).sort()).toEqual(rootBefore);
  expect(await markedOutside(root, archives)).toEqual([]);
  return run;
}

describe("envstacks diff on hostile archives (built CLI)", () => {
  test("tar.gz: climbing and absolute names, symlinks out, hard links: reported, not followed", async () => {
    const root = tempDir();
    const work = path.join(root, "work");
    await mkdir(work);
    const secret = path.join(root, "secret.txt");
    await writeFile(secret, SECRET);
    const benign: TarEntry[] = [{ name: "app/file.txt", content: "fine\n" }];
    await writeTarGz(path.join(work, "a.tar.gz"), benign);
    await writeTarGz(path.join(work, "b.tar.gz"), [
      ...benign,
      { name: `app/../../${MARK}-up.txt`, content: "x\n" },
      { name: path.join(tmpdir(), `${MARK}-abs.txt`), content: "x\n" },
      { name: "app/link-abs", type: "symlink", linkname: secret },
      { name: "app/link-up", type: "symlink", linkname: "../../secret.txt" },
      { name: "app/hard", type: "link", linkname: "../secret.txt" },
    ]);
    const run = await diffInSandbox("a.tar.gz", "b.tar.gz", work, root);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toBe("");
    const { stdout } = run;
    expect(stdout).toContain("problems (reported, not followed):");
    const problem = (member: string, text: string) =>
      expect(stdout).toContain(`b.tar.gz: ${member}: ${text}`);
    problem(`app/../../${MARK}-up.txt`, 'path contains ".."');
    problem(path.join(tmpdir(), `${MARK}-abs.txt`), "path is absolute");
    problem("app/link-abs", `symlink to an absolute path ${JSON.stringify(secret)} (not followed)`);
    problem("app/link-up", 'symlink to "../../secret.txt" leaves the archive (not followed)');
    problem("app/hard", 'hard link to "../secret.txt" (not followed)');
    // The files the links name were never read.
    expect(stdout).not.toContain(SECRET);
  });

  test("zip: backslash, climbing and absolute names are reported; nothing is written", async () => {
    const root = tempDir();
    const work = path.join(root, "work");
    await mkdir(work);
    const benign = [{ name: "app/file.txt", content: "fine\n" }];
    await writeZip(path.join(work, "a.zip"), benign);
    const hostile = [
      { name: `..\\..\\${MARK}-bs.txt`, content: "x\n" },
      { name: `app\\..\\..\\${MARK}-bs2.txt`, content: "x\n" },
      { name: `../${MARK}-up.txt`, content: "x\n" },
      { name: `/tmp/${MARK}-abs.txt`, content: "x\n" },
    ];
    await writeZip(path.join(work, "b.zip"), [...benign, ...hostile]);
    const run = await diffInSandbox("a.zip", "b.zip", work, root);
    expect(run.code, run.stderr).toBe(1);
    const { stdout } = run;
    expect(stdout).toContain(`b.zip: ..\\..\\${MARK}-bs.txt: path contains a backslash`);
    expect(stdout).toContain(`b.zip: app\\..\\..\\${MARK}-bs2.txt: path contains a backslash`);
    expect(stdout).toContain(`b.zip: app\\..\\..\\${MARK}-bs2.txt: path contains ".."`);
    expect(stdout).toContain(`b.zip: ../${MARK}-up.txt: path contains ".."`);
    expect(stdout).toContain(`b.zip: /tmp/${MARK}-abs.txt: path is absolute`);
  });

  test("a zip bomb stops at the size limit with one message, before unpacking", async () => {
    const root = tempDir();
    const work = path.join(root, "work");
    await mkdir(work);
    await writeZip(path.join(work, "a.zip"), [{ name: `${MARK}.bin`, content: "small\n" }]);
    // 5 GiB, past the 4 GiB a diff reads at most.
    await writeZipBomb(path.join(work, "bomb.zip"), `${MARK}.bin`, 5n * 1024n ** 3n);
    expect((await readFile(path.join(work, "bomb.zip"))).length).toBeLessThan(2048);
    const started = Date.now();
    const run = await diffInSandbox("a.zip", "bomb.zip", work, root);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `envstacks: error: bomb.zip: member ${MARK}.bin unpacks to 5368709120 bytes, ` +
        "more than the limit of 4294967296 (maxMemberBytes)\n",
    );
    // Stopped on the declared size, not after inflating gigabytes.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
