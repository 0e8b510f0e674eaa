import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { verifyStack } from "../../../src/verify/verify-stack.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { writeStack } from "../cli/stack-fixture.js";

const tempDir = useTempDir();
const TEMP_VARIABLES = ["TMPDIR", "TMP", "TEMP"] as const;
let saved: Partial<Record<(typeof TEMP_VARIABLES)[number], string>> = {};

// verify's own temp dirs go under the test's dir, so the test can see that none is left.
beforeEach(() => {
  saved = Object.fromEntries(TEMP_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of TEMP_VARIABLES) process.env[name] = tempDir();
});
afterEach(() => {
  for (const name of TEMP_VARIABLES) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test("a failing offline verify names the unlocked layer, writes nothing and removes its temp dir", async () => {
  const specDir = path.join(tempDir(), "stack");
  const specPath = await writeStack(specDir);
  const env = (await StackSpec.load(specPath)).defineBuildEnvironment();
  const expectedDir = path.join(tempDir(), "expected");
  await expect(
    verifyStack(env, { expectedDir, update: true, offline: true, platform: "linux-x64" }),
  ).rejects.toThrow(/^node-22: cannot publish: its lock is missing/);
  expect((await readdir(tempDir())).sort()).toEqual(["stack"]);
  expect((await readdir(specDir)).sort()).toEqual(["envstacks.toml", "launch_modules"]);
});
