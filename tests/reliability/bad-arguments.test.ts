/**
 * Bad command lines through the built CLI: one error line (plus commander's "add --help"
 * hint), exit 2, and nothing written beside the spec.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "vitest";
import { envstacks } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir("envstacks-bad-arguments-");

const SPEC = '[[runtimes]]\nname = "node-22"\nnode_implementation = "node@22.12.0"\n';
const HINT = "(add --help for usage)";

const CASES: { name: string; args: string[]; says: string }[] = [
  {
    name: "an unknown option",
    args: ["build", "--bogus", "envstacks.toml"],
    says: "unknown option '--bogus'",
  },
  { name: "a missing SPEC", args: ["lock"], says: "missing required argument 'spec'" },
  {
    name: "a directory as SPEC",
    args: ["build", "--publish", "adir", "out"],
    says: "adir: cannot read the stack spec: not a regular file",
  },
  {
    name: "a SPEC that does not exist",
    args: ["lock", "nope.toml"],
    says: "nope.toml: cannot read the stack spec: file not found",
  },
  {
    name: "--include without a pattern",
    args: ["build", "envstacks.toml", "--include"],
    says: "option '--include <pattern>' argument missing",
  },
  {
    name: "an unknown archive format",
    args: ["build", "--publish", "envstacks.toml", "out", "--format", "rar"],
    says: "argument 'rar' is invalid. Allowed choices are tar, tar.gz, tar.xz, zip",
  },
  { name: "an unknown command", args: ["frobnicate"], says: "unknown command 'frobnicate'" },
  {
    name: "--publish without OUTPUT_DIR",
    args: ["build", "--publish", "envstacks.toml"],
    says: "build --publish needs an OUTPUT_DIR",
  },
  {
    name: "an --include pattern matching no layer",
    args: ["build", "envstacks.toml", "--include", "app-*"],
    says: "app-*",
  },
];

test.each(CASES)("$name: one error line, exit 2, nothing written", async ({ args, says }) => {
  await writeFile(path.join(tempDir(), "envstacks.toml"), SPEC);
  await mkdir(path.join(tempDir(), "adir"));
  const cache = path.join(tempDir(), "cache");

  const run = await envstacks(args, tempDir(), { ...process.env, ENVSTACKS_CACHE_DIR: cache });

  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n").filter((line) => line !== "" && line !== HINT);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^(envstacks: )?error: /);
  expect(lines[0]).toContain(says);
  expect(run.code).toBe(2);
  expect((await readdir(tempDir())).sort()).toEqual(["adir", "envstacks.toml"]);
  expect(await readdir(path.join(tempDir(), "adir"))).toEqual([]);
});
