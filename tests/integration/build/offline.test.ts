/**
 * `build --offline` on a copy of the sample project (committed locks, no network): with an
 * empty cache it names what is missing and leaves no layer behind; with a stale lock it names
 * the layer instead of trying to relock it.
 */
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks } from "../../helpers/cli.js";
import { SAMPLE_PROJECT } from "../../helpers/sample-build.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

async function copySample(): Promise<string> {
  const project = path.join(tempDir(), "sample_project");
  await cp(SAMPLE_PROJECT, project, {
    recursive: true,
    filter: (source) => !source.split(path.sep).includes("_build"),
  });
  return project;
}

describe("build --offline", () => {
  test("with an empty cache, names the missing download and leaves no half-built layer", async () => {
    const project = await copySample();
    const cache = path.join(tempDir(), "empty-cache");
    const { code, stdout, stderr } = await envstacks(
      ["build", "envstacks.toml", "--offline", "--include", "app-hello", "--include-dependencies"],
      project,
      { ...process.env, ENVSTACKS_CACHE_DIR: cache },
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^envstacks: error: node-\S+@22\.14\.0 is not in the cache at .* and downloads are off \(--offline\)$/m,
    );
    const entries = await readdir(path.join(project, "_build")).catch(() => []);
    expect(entries.filter((e) => !e.startsWith(".envstacks-build"))).toEqual([]);
  });

  test("a stale lock is an error naming the layer, and nothing is relocked", async () => {
    const project = await copySample();
    const specPath = path.join(project, "envstacks.toml");
    const spec = await readFile(specPath, "utf8");
    await writeFile(specPath, spec.replace('"lodash@^4.17.21"', '"lodash@^4.17.20"'));
    const lockBefore = await readFile(
      path.join(project, "requirements", "framework-legacy", "lock-meta.json"),
      "utf8",
    );
    const { code, stderr } = await envstacks(["build", "envstacks.toml", "--offline"], project);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "envstacks: error: framework-legacy: cannot build offline: its lock is stale " +
        "(requirements changed); run envstacks lock first\n",
    );
    expect(
      await readFile(
        path.join(project, "requirements", "framework-legacy", "lock-meta.json"),
        "utf8",
      ),
    ).toBe(lockBefore);
  });
});
