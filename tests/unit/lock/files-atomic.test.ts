import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { writeFileAtomic } from "../../../src/fs/atomic.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

test("creates missing directories and writes the bytes", async () => {
  const path = join(tempDir(), "a", "b", "file.json");
  expect(await writeFileAtomic(path, "{}\n")).toBe(true);
  expect(await readFile(path, "utf8")).toBe("{}\n");
});

test("leaves an unchanged file alone, mtime included", async () => {
  const path = join(tempDir(), "file.txt");
  await writeFile(path, "same\n");
  const old = new Date("2020-01-01T00:00:00Z");
  await utimes(path, old, old);
  expect(await writeFileAtomic(path, Buffer.from("same\n"))).toBe(false);
  expect((await stat(path)).mtime.getTime()).toBe(old.getTime());
});

test("replaces changed content without leaving temporary files behind", async () => {
  const path = join(tempDir(), "file.txt");
  await writeFile(path, "old\n");
  expect(await writeFileAtomic(path, "new\n")).toBe(true);
  expect(await readFile(path, "utf8")).toBe("new\n");
  expect(await readdir(tempDir())).toEqual(["file.txt"]);
});

test("a failed write leaves the old file and no temporary file", async () => {
  // Writing onto a directory fails at the rename step.
  const target = join(tempDir(), "dir");
  await writeFileAtomic(join(target, "inner"), "x");
  await expect(writeFileAtomic(target, "data")).rejects.toThrow();
  expect(await readdir(tempDir())).toEqual(["dir"]);
});
