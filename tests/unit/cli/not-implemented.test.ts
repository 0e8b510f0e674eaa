import path from "node:path";
import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { runMain } from "./run-main.js";
import { writeStack } from "./stack-fixture.js";

const tempDir = useTempDir();

/**
 * Commands this version lists but cannot run yet, with what each says. (publish and
 * build --publish are implemented: tests/unit/publish/publish-cli.test.ts.)
 */
const UNIMPLEMENTED: [string, (spec: string, out: string) => string[], string][] = [
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
});
