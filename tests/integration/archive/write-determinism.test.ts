/**
 * writeArchive gives the same bytes for the same tree whatever the machine state: run in
 * child processes with different TZ, LC_ALL and umask, on trees created in another order,
 * in another place, with other file times, and with another xz thread count.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { ARCHIVE_FORMATS } from "../../../src/archive/formats.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CHILD = path.join(REPO, "tests/integration/archive/write-child.ts");
const run = promisify(execFile);
const tempDir = useTempDir();

interface Run {
  name: string;
  env: Record<string, string>;
  umask: number;
  order: "forward" | "reverse";
  threads: number;
}

async function writeInChild(setup: Run, mtime: string): Promise<Record<string, string>> {
  const config = {
    root: path.join(tempDir(), setup.name, "deeper", "tree"),
    outDir: path.join(tempDir(), setup.name),
    umask: setup.umask,
    order: setup.order,
    mtime,
    threads: setup.threads,
  };
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", CHILD, JSON.stringify(config)],
    { cwd: REPO, env: { ...process.env, ...setup.env } },
  );
  return JSON.parse(stdout) as Record<string, string>;
}

test("every format is byte-identical across TZ, LC_ALL, umask, tree order, location, file times and xz threads", {
  timeout: 120_000,
}, async () => {
  const mtime = "2025-03-09T07:30:00Z"; // 02:30 in New York, a time its DST gap skips
  const first = await writeInChild(
    { name: "one", env: { TZ: "UTC", LC_ALL: "C" }, umask: 0o022, order: "forward", threads: 1 },
    mtime,
  );
  const second = await writeInChild(
    {
      name: "two",
      env: { TZ: "America/New_York", LC_ALL: "tr_TR.UTF-8", LANG: "tr_TR.UTF-8" },
      umask: 0o077,
      order: "reverse",
      threads: 2,
    },
    mtime,
  );
  const third = await writeInChild(
    {
      name: "three",
      env: { TZ: "Pacific/Chatham", LC_ALL: "en_US.UTF-8" },
      umask: 0o002,
      order: "reverse",
      threads: 3,
    },
    mtime,
  );
  expect(Object.keys(first).sort()).toEqual([...ARCHIVE_FORMATS].sort());
  expect(second).toEqual(first);
  expect(third).toEqual(first);
  for (const format of ARCHIVE_FORMATS) {
    const a = await readFile(path.join(tempDir(), "one", `layer.${format}`));
    const b = await readFile(path.join(tempDir(), "two", `layer.${format}`));
    expect(b.equals(a), format).toBe(true);
  }

  // The mtime is part of the bytes: the comparison above can fail.
  const later = await writeInChild(
    { name: "later", env: { TZ: "UTC" }, umask: 0o022, order: "forward", threads: 1 },
    "2025-03-09T07:30:02Z",
  );
  for (const format of ARCHIVE_FORMATS) expect(later[format], format).not.toBe(first[format]);
});
