import path from "node:path";
import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { runMain } from "./run-main.js";
import { writeStack } from "./stack-fixture.js";

const tempDir = useTempDir();

describe("commands fail plainly before any work", () => {
  test("verify reports a bad spec as a spec error first", async () => {
    const spec = await writeStack(tempDir(), '[[runtimes]]\nname = "Bad Name"\n');
    const { code, stderr } = await runMain("verify", spec, "--expected", tempDir());
    expect(code).toBe(2);
    expect(stderr).toMatch(/^envstacks: error: .*envstacks\.toml: /);
  });

  test("verify names a missing expected-output directory and how to create it", async () => {
    const spec = await writeStack(tempDir());
    const missing = path.join(tempDir(), "expected-output");
    const { code, stdout, stderr } = await runMain("verify", spec, "--expected", missing);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `envstacks: error: expected-output directory ${missing} does not exist; ` +
        "create it with envstacks verify --update\n",
    );
  });

  test("verify needs --expected", async () => {
    const spec = await writeStack(tempDir());
    const { code, stderr } = await runMain("verify", spec);
    expect(code).toBe(2);
    expect(stderr).toContain("--expected <dir>");
  });

  test("an unknown --include pattern is reported before the missing capability", async () => {
    const spec = await writeStack(tempDir());
    const { code, stderr } = await runMain("build", spec, "--include", "app-nope");
    expect(code).toBe(2);
    expect(stderr).toContain('no layer matches --include pattern "app-nope"');
  });
});
