import path from "node:path";
import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { runMain } from "./run-main.js";
import { writeStack } from "./stack-fixture.js";

const tempDir = useTempDir();

/** Commands this version lists but cannot run yet, with what each says. */
const UNIMPLEMENTED: [string, (spec: string, out: string) => string[], string][] = [
  ["build", (spec, out) => ["build", "--publish", spec, out], "publishing layer archives"],
  ["publish", (spec, out) => ["publish", spec, out], "publishing layer archives"],
  ["verify", (spec, out) => ["verify", spec, "--expected", out], "comparing with expected output"],
];

describe("commands not implemented in this version", () => {
  test.each(UNIMPLEMENTED)(
    "%s fails plainly after validating the spec",
    async (command, args, what) => {
      const spec = await writeStack(tempDir());
      const { code, stdout, stderr } = await runMain(...args(spec, path.join(tempDir(), "out")));
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `envstacks: error: envstacks ${command}: ${what} is not implemented in this version\n`,
      );
    },
  );

  test.each(UNIMPLEMENTED)("%s reports a bad spec as a spec error first", async (_, args) => {
    const spec = await writeStack(tempDir(), '[[runtimes]]\nname = "Bad Name"\n');
    const { code, stderr } = await runMain(...args(spec, path.join(tempDir(), "out")));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^envstacks: error: .*envstacks\.toml: /);
    expect(stderr).not.toContain("not implemented");
  });

  test("an unknown --include pattern is reported before the missing capability", async () => {
    const spec = await writeStack(tempDir());
    const { code, stderr } = await runMain("build", spec, "--include", "app-nope");
    expect(code).toBe(2);
    expect(stderr).toContain('no layer matches --include pattern "app-nope"');
  });

  test("diff fails plainly", async () => {
    const { code, stderr } = await runMain("diff", tempDir(), tempDir());
    expect(code).toBe(3);
    expect(stderr).toBe(
      "envstacks: error: envstacks diff: comparing archives and output directories is not implemented in this version\n",
    );
  });
});
