/**
 * What a user gets from writeArchive: the members read back (names, types, modes, times,
 * owners, link targets, long and non-ASCII names, empty directories), the same tree when the
 * system's tar and unzip unpack it, and errors for what a layer must not contain.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { ARCHIVE_FORMATS, type ArchiveFormat } from "../../../src/archive/formats.js";
import { type ArchiveMember, readArchive } from "../../../src/archive/read.js";
import { writeArchive } from "../../../src/archive/write.js";
import { EnvstacksError } from "../../../src/errors.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import {
  buildSampleTree,
  DEEP_DIR,
  expectedMembers,
  LARGE_CONTENT,
  LONG_NAME,
  UNICODE_NAME,
} from "./sample-tree.js";

const run = promisify(execFile);
const tempDir = useTempDir();
const MTIME = new Date("2025-06-01T12:34:56Z");

async function sampleArchive(format: ArchiveFormat): Promise<string> {
  const root = path.join(tempDir(), "src");
  await buildSampleTree(root);
  const archive = path.join(tempDir(), `layer.${format}`);
  await writeArchive(root, "layer@1", archive, { format, mtime: MTIME, threads: 1 });
  return archive;
}

async function members(archive: string): Promise<ArchiveMember[]> {
  const all: ArchiveMember[] = [];
  for await (const member of readArchive(archive)) all.push(member);
  return all;
}

describe.each(ARCHIVE_FORMATS)("%s", (format) => {
  test("members read back with normalised metadata under one top-level directory", async () => {
    const read = await members(await sampleArchive(format));
    const paths = read.map((m) => m.path);
    // Sorted by UTF-8 bytes, directories before their contents.
    expect(paths).toEqual(
      [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
    expect(paths[0]).toBe("layer@1");
    expect(paths.indexOf("layer@1/lib/a")).toBeLessThan(paths.indexOf("layer@1/lib/a/x.txt"));

    const expected = expectedMembers();
    expect(paths.slice(1).sort()).toEqual([...expected.keys()].map((p) => `layer@1/${p}`).sort());
    for (const member of read) {
      expect(member.mtime.toISOString(), member.path).toBe(MTIME.toISOString());
      expect([member.uid, member.gid, member.uname, member.gname]).toEqual([0, 0, "", ""]);
      expect(member.problems, member.path).toEqual([]);
      const want = expected.get(member.path.slice("layer@1/".length));
      if (!want) continue;
      expect(
        { type: member.type, mode: member.mode, link: member.linkTarget },
        member.path,
      ).toEqual(want);
    }

    const byPath = new Map(read.map((m) => [m.path, m]));
    expect(byPath.get(`layer@1/${DEEP_DIR}/${LONG_NAME}`)?.content?.toString()).toBe(
      "deep and long\n",
    );
    expect(`layer@1/${DEEP_DIR}/${LONG_NAME}`.length).toBeGreaterThan(200);
    expect(byPath.get(`layer@1/lib/${UNICODE_NAME}`)?.content?.toString()).toBe("unicode\n");
    expect(byPath.get("layer@1/lib/hard-readme.txt")?.content?.toString()).toBe("readme\n");
    expect(byPath.get("layer@1/empty-dir")?.type).toBe("directory");
    const large = byPath.get("layer@1/lib/large.bin");
    expect(large?.size).toBe(LARGE_CONTENT.length);
    expect(large?.content?.equals(LARGE_CONTENT)).toBe(true);
  });

  test("the system's tar or unzip unpacks the same tree", async () => {
    const archive = await sampleArchive(format);
    const out = path.join(tempDir(), "unpacked");
    await mkdir(out);
    if (format === "zip") await run("unzip", ["-q", archive, "-d", out]);
    else await run("tar", ["-xf", archive, "-C", out]);
    expect(await readdir(out)).toEqual(["layer@1"]);
    expect(await snapshot(path.join(out, "layer@1"))).toEqual(
      await snapshot(path.join(tempDir(), "src"), true),
    );
  });
});

test("tar.gz carries no time and a fixed OS in its gzip header", async () => {
  const bytes = await readFile(await sampleArchive("tar.gz"));
  expect([...bytes.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]); // gzip, deflate
  expect(bytes.readUInt32LE(4)).toBe(0); // MTIME
  expect(bytes[9]).toBe(3); // OS: Unix, on every builder
});

test("the reported size and sha256 are the file's", async () => {
  const root = path.join(tempDir(), "src");
  await buildSampleTree(root);
  const archive = path.join(tempDir(), "layer.tar.xz");
  const written = await writeArchive(root, "layer", archive, { format: "tar.xz", mtime: MTIME });
  const bytes = await readFile(archive);
  expect(written.size).toBe(bytes.length);
  expect(written.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
});

/** Every path below `root` with what unpacking must reproduce: content, exec bit, link. */
async function snapshot(root: string, normaliseModes = false): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of await readdir(root, { recursive: true })) {
    const full = path.join(root, name);
    const info = await lstat(full);
    const key = name.split(path.sep).join("/");
    if (info.isSymbolicLink()) result[key] = `link ${await readlink(full)}`;
    else if (info.isDirectory()) result[key] = "dir";
    else {
      const exec = (info.mode & 0o111) !== 0 ? "exec" : "plain";
      const mode = normaliseModes ? (exec === "exec" ? 0o755 : 0o644) : info.mode & 0o777;
      result[key] = `${exec} ${mode.toString(8)} ${(await readFile(full)).toString("base64")}`;
    }
  }
  return result;
}

describe("refused trees", () => {
  async function refusal(setup: (root: string) => Promise<void>): Promise<EnvstacksError> {
    const root = path.join(tempDir(), "src");
    await mkdir(path.join(root, "bin"), { recursive: true });
    await setup(root);
    const error = await writeArchive(root, "layer", path.join(tempDir(), "x.tar"), {
      format: "tar",
      mtime: MTIME,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvstacksError);
    return error as EnvstacksError;
  }

  test("an absolute symlink is an error naming it", async () => {
    const error = await refusal((root) => symlink("/usr/bin/env", path.join(root, "bin/env")));
    expect(error.message).toContain(path.join(tempDir(), "src", "bin", "env"));
    expect(error.message).toContain("absolute path /usr/bin/env");
  });

  test("a symlink escaping the layer is an error naming it", async () => {
    const error = await refusal((root) => symlink("../../outside", path.join(root, "bin/up")));
    expect(error.message).toContain(path.join("src", "bin", "up"));
    expect(error.message).toContain("points outside the layer directory");
  });

  test("a symlink that climbs and comes back inside is kept", async () => {
    const root = path.join(tempDir(), "src");
    await mkdir(path.join(root, "bin"), { recursive: true });
    await writeFile(path.join(root, "bin/x"), "x");
    await symlink("../bin/x", path.join(root, "bin/y"));
    const archive = path.join(tempDir(), "ok.tar");
    await writeArchive(root, "layer", archive, { format: "tar", mtime: MTIME });
    const link = (await members(archive)).find((m) => m.path === "layer/bin/y");
    expect(link?.linkTarget).toBe("../bin/x");
  });

  test("a socket is an error naming it", async () => {
    const root = path.join(tempDir(), "src");
    await mkdir(root);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, "sock"), resolve));
    try {
      const error = await writeArchive(root, "layer", path.join(tempDir(), "x.tar"), {
        format: "tar",
        mtime: MTIME,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnvstacksError);
      expect((error as Error).message).toBe(
        `cannot archive ${path.join(root, "sock")}: it is a socket`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a top-level name with a separator is refused", async () => {
    const error = await writeArchive(tempDir(), "a/b", path.join(tempDir(), "x.zip"), {
      format: "zip",
      mtime: MTIME,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('"a/b" must be one path segment');
  });
});
