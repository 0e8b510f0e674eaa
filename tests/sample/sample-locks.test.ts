/**
 * The committed locks of the sample project are what locking it produces: a plain relock
 * of a fresh copy rewrites nothing, and resolving from scratch (--reset-lock) against the
 * real registry reproduces every committed lock file byte for byte.
 */
import { cp, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks, REPO_ROOT } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const SAMPLE = path.join(REPO_ROOT, "sample_project");
const tempDir = useTempDir();

async function lockFiles(project: string): Promise<Map<string, string>> {
  const root = path.join(project, "requirements");
  const files = new Map<string, string>();
  for (const layer of (await readdir(root)).sort()) {
    for (const file of (await readdir(path.join(root, layer))).sort()) {
      files.set(`${layer}/${file}`, await readFile(path.join(root, layer, file), "utf8"));
    }
  }
  return files;
}

async function copySample(): Promise<string> {
  const project = path.join(tempDir(), "sample_project");
  await cp(SAMPLE, project, {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}_build`),
  });
  return project;
}

describe("sample project locks", () => {
  test("a plain lock of a fresh copy leaves every committed file as it is", {
    tags: ["slow", "expected_output"],
  }, async () => {
    const project = await copySample();
    const { code, stdout, stderr } = await envstacks(["lock", "envstacks.toml", "--json"], project);
    expect(code, stderr).toBe(0);
    const layers = (JSON.parse(stdout) as { layers: { layerName: string; action: string }[] })
      .layers;
    expect(layers.filter((l) => l.action !== "unchanged")).toEqual([]);
    expect(await lockFiles(project)).toEqual(await lockFiles(SAMPLE));
  });

  test("--reset-lock resolves from scratch to the committed files, byte for byte", {
    tags: ["slow", "expected_output"],
  }, async () => {
    const project = await copySample();
    const { code, stderr } = await envstacks(["lock", "envstacks.toml", "--reset-lock"], project);
    expect(code, stderr).toBe(0);
    const actual = await lockFiles(project);
    const expected = await lockFiles(SAMPLE);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [file, content] of actual) {
      expect(content, `requirements/${file}`).toBe(expected.get(file));
    }
  });

  test("every sample layer's lock is valid", async () => {
    const { code, stdout, stderr } = await envstacks(
      ["status", "envstacks.toml", "--json"],
      SAMPLE,
    );
    expect(code, stderr).toBe(0);
    const layers = (
      JSON.parse(stdout) as { layers: { layerName: string; lock: { status: string } }[] }
    ).layers;
    expect(layers.filter((l) => l.lock.status !== "valid")).toEqual([]);
    expect(layers).toHaveLength(10);
  });
});
