/** `envstacks diff` through the built CLI, on archives made by the system's own tar. */
import { execFileSync } from "node:child_process";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();
const MTIME = new Date("2025-03-01T12:00:00Z");

const MAIN = "import { log } from './log.mjs';\nlog('hello');\nlog('bye');\n";
const CHANGED = MAIN.replace("bye", "goodbye");
const SIZES = [MAIN, CHANGED].map((text) => Buffer.byteLength(text));

/** `<name>.tar.gz` holding `app-x/` with the given main module; every mtime is MTIME. */
async function archive(name: string, main: string): Promise<string> {
  const root = path.join(tempDir(), `tree-${name}`);
  const files: Record<string, string> = {
    "app-x/app/main.mjs": main,
    "app-x/app/log.mjs": "export const log = console.log;\n",
    "app-x/share/envstacks/layer.json": '{"layer_name": "app-x"}\n',
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  for (const entry of await readdir(root, { recursive: true })) {
    await utimes(path.join(root, entry), MTIME, MTIME);
  }
  const file = path.join(tempDir(), `${name}.tar.gz`);
  execFileSync("tar", ["-czf", file, "-C", root, "app-x"]);
  return file;
}

describe("envstacks diff (built CLI)", () => {
  test("two archives differing in one text file: only that file, with its lines; exit 1", async () => {
    await archive("a", MAIN);
    await archive("b", CHANGED);
    const { code, stdout, stderr } = await envstacks(["diff", "a.tar.gz", "b.tar.gz"], tempDir());
    expect(code).toBe(1);
    expect(stdout.split("\n")).toEqual([
      "diff a.tar.gz b.tar.gz (members matched by path below the top-level directory)",
      "changed  app-x/app/main.mjs",
      `  size: ${SIZES[0]} -> ${SIZES[1]}`,
      expect.stringMatching(/^ {2}content \(text\): sha256 [0-9a-f]{64} -> [0-9a-f]{64}$/),
      "--- a/app-x/app/main.mjs",
      "+++ b/app-x/app/main.mjs",
      "@@ -1,3 +1,3 @@",
      " import { log } from './log.mjs';",
      " log('hello');",
      "-log('bye');",
      "+log('goodbye');",
      "",
    ]);
    expect(stderr).toBe("");
  });

  test("identical archives: exit 0 and one line", async () => {
    await archive("a", MAIN);
    await archive("b", MAIN);
    const result = await envstacks(["diff", "a.tar.gz", "b.tar.gz"], tempDir());
    expect(result).toEqual({ code: 0, stdout: "no differences\n", stderr: "" });
  });

  test("--json prints the report as data", async () => {
    await archive("a", MAIN);
    await archive("b", CHANGED);
    const { code, stdout } = await envstacks(["diff", "--json", "a.tar.gz", "b.tar.gz"], tempDir());
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      a: "a.tar.gz",
      b: "b.tar.gz",
      kind: "archives",
      equal: false,
      comparisons: [
        {
          a: "a.tar.gz",
          b: "b.tar.gz",
          matchedBy: "path below the top-level directory",
          added: [],
          removed: [],
          problems: [],
          equal: false,
          changed: [
            {
              path: "app-x/app/main.mjs",
              type: "file",
              changes: [
                { field: "size", a: SIZES[0], b: SIZES[1] },
                { field: "content", a: expect.any(String), b: expect.any(String) },
              ],
              patch: expect.stringContaining("-log('bye');\n+log('goodbye');\n"),
            },
          ],
        },
      ],
    });
  });

  test("usage errors exit 2: a missing path, an unknown format", async () => {
    await archive("a", MAIN);
    const missing = await envstacks(["diff", "a.tar.gz", "nope.tar.gz"], tempDir());
    expect(missing).toEqual({
      code: 2,
      stdout: "",
      stderr: "envstacks: error: nope.tar.gz: no such file or directory\n",
    });
    await writeFile(path.join(tempDir(), "b.7z"), "7z");
    const unknown = await envstacks(["diff", "a.tar.gz", "b.7z"], tempDir());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^envstacks: error: b\.7z: unknown archive format/);
  });

  test("--help says how members are matched", async () => {
    const { code, stdout } = await envstacks(["diff", "--help"], tempDir());
    expect(code).toBe(0);
    expect(stdout).toContain("matched by their path below the top-level directory");
    expect(stdout).toContain("Exit status: 0 when equal, 1 when different, 2 on usage errors.");
  });
});
