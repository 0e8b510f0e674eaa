/** The publish command line without the registry: errors, help and the dry-run plan. */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { runMain } from "../cli/run-main.js";
import { writeStack } from "../cli/stack-fixture.js";

const tempDir = useTempDir();

describe("envstacks publish / build --publish", () => {
  test("publish does not lock: a missing lock is an error naming the layer", async () => {
    const spec = await writeStack(tempDir());
    const out = path.join(tempDir(), "out");
    const { code, stdout, stderr } = await runMain("publish", spec, out);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^envstacks: error: node-22: cannot publish: its lock is missing \(.*\); run envstacks lock, or envstacks build --publish, first\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  test.each([["build", "--publish"], ["publish"]])(
    "%s %s reports a bad spec as a spec error first",
    async (...command) => {
      const spec = await writeStack(tempDir(), '[[runtimes]]\nname = "Bad Name"\n');
      const { code, stderr } = await runMain(...command, spec, path.join(tempDir(), "out"));
      expect(code).toBe(2);
      expect(stderr).toMatch(/^envstacks: error: .*envstacks\.toml: /);
    },
  );

  test("build --publish needs an OUTPUT_DIR", async () => {
    const spec = await writeStack(tempDir());
    const { code, stderr } = await runMain("build", "--publish", spec);
    expect(code).toBe(2);
    expect(stderr).toContain("needs an OUTPUT_DIR");
  });

  test("an unknown --format is a usage error listing the formats", async () => {
    const spec = await writeStack(tempDir());
    const { code, stderr } = await runMain("publish", spec, tempDir(), "--format", "rar");
    expect(code).toBe(2);
    expect(stderr).toContain("tar, tar.gz, tar.xz, zip");
  });

  test("--help explains --format and the --tag-outputs names", async () => {
    for (const command of [["publish"], ["build"]]) {
      const { stdout } = await runMain(...command, "--help");
      expect(stdout).toContain("--format <format>");
      expect(stdout.replace(/\s+/g, " ")).toContain(
        "<install_target>-<platform>-<archive_build>.<ext>",
      );
    }
  });

  test("build --publish --dry-run prints the publication plan as JSON and writes nothing", async () => {
    const spec = await writeStack(tempDir());
    const out = path.join(tempDir(), "out");
    const { code, stdout, stderr } = await runMain(
      "build",
      "--publish",
      "--dry-run",
      "--format",
      "zip",
      spec,
      out,
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const plan = JSON.parse(stdout) as {
      publication: { archives: { layerName: string; action: string; archiveName: string }[] };
    };
    expect(plan.publication.archives.find((a) => a.layerName === "app-tool")).toMatchObject({
      action: "would write",
      archiveName: "app-tool.zip",
    });
    expect(plan.publication.archives.find((a) => a.layerName === "node-22")?.archiveName).toBe(
      "node-22@1.zip",
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(path.join(tempDir(), "_build"))).toBe(false);
  });
});
