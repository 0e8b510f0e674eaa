/**
 * A real runtime layer (the sample's locked Node 22 binary, ~116 MB unpacked) compressed to
 * tar.xz with one and with two threads: the bytes are the same, so the core count of the
 * publishing machine never changes a published archive.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { archiveMtime } from "../../../src/archive/mtime.js";
import { writeArchive } from "../../../src/archive/write.js";
import { installRuntime } from "../../../src/install/runtime.js";
import { parseLockMeta } from "../../../src/lock/meta.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const NODE_22_META = path.join(REPO, "sample_project/requirements/node-22/lock-meta.json");
const tempDir = useTempDir();

test("a Node runtime layer gives the same tar.xz bytes with 1 and 2 xz threads", {
  tags: ["slow"],
}, async () => {
  const meta = parseLockMeta(await readFile(NODE_22_META, "utf8"));
  const binary = meta.runtime_binaries?.find((b) => b.platform === "linux-x64");
  if (!binary) throw new Error("the sample lock has no linux-x64 runtime binary");
  const layer = path.join(tempDir(), "node-22");
  await installRuntime(layer, binary, { cacheDir: process.env.ENVSTACKS_CACHE_DIR });

  const mtime = archiveMtime(meta.locked_at);
  const one = path.join(tempDir(), "one.tar.xz");
  const two = path.join(tempDir(), "two.tar.xz");
  const single = await writeArchive(layer, "node-22", one, { format: "tar.xz", mtime, threads: 1 });
  const dual = await writeArchive(layer, "node-22", two, { format: "tar.xz", mtime, threads: 2 });

  expect(dual).toEqual(single);
  expect((await readFile(two)).equals(await readFile(one))).toBe(true);
  // Several xz blocks: the thread count had work to split.
  expect(single.size).toBeGreaterThan(16 * 1024 * 1024);
});
