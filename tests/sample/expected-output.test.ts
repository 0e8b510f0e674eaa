/**
 * The sample project, locked and published once per run, gives exactly what is committed:
 * its locks are sample_project/requirements/, its metadata expected-output/<platform>/, and a
 * dry run of the committed sample plans every expected archive. The tools and environment
 * pinned in expected-output/expected-output-config.toml are checked first.
 *
 * Update mode: with `ENVSTACKS_UPDATE_EXPECTED_OUTPUT=1` the comparisons write the fresh
 * files over the committed ones and pass (misc/update_expected_output.sh does that).
 * With `ENVSTACKS_EXPORT_TEST_ARTIFACTS=DIR`, a failing test exports the fresh locks,
 * metadata and archives to DIR/expected-output/ (misc/export_test_artifacts.sh).
 */
import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, test } from "vitest";
import { envstacksVersion } from "../../src/build/version.js";
import { loadNpmOptions } from "../../src/lock/npm-config.js";
import type { LayerMetadata } from "../../src/metadata/layer-metadata.js";
import {
  compareFiles,
  type FileComparison,
  formatComparisons,
  listFiles,
} from "../../src/verify/compare.js";
import { useArtifactExport } from "../helpers/artifact-export.js";
import { envstacks, REPO_ROOT } from "../helpers/cli.js";
import { SAMPLE_PROJECT } from "../helpers/sample-build.js";
import { copySampleProject, useSharedSample } from "../helpers/sample-fixture.js";
import { HOST } from "../helpers/sample-publish.js";
import { useTempDir } from "../helpers/temp-dir.js";

const EXPECTED_OUTPUT = path.join(REPO_ROOT, "expected-output");
const CONFIG_FILE = path.join(EXPECTED_OUTPUT, "expected-output-config.toml");
const EXPECTED_METADATA = path.join(EXPECTED_OUTPUT, HOST);
const COMMITTED_LOCKS = path.join(SAMPLE_PROJECT, "requirements");
const UPDATE = process.env.ENVSTACKS_UPDATE_EXPECTED_OUTPUT === "1";
const HOW_TO_UPDATE =
  "to accept the new output run misc/update_expected_output.sh LIST_FILE and commit the files it lists";

const sample = useSharedSample();
const tempDir = useTempDir();
useArtifactExport(import.meta.url, () => {
  try {
    const { project, outputDir } = sample();
    return { requirementsDir: path.join(project, "requirements"), outputDir };
  } catch {
    return undefined; // the sample was not published: nothing to export
  }
});

interface ExpectedOutputConfig {
  tools: { node: string; zlib: string; envstacks: string };
  registry: { url: string };
  /** Per platform with committed expected output: its own tools. */
  platforms: Record<string, { xz: string } | undefined>;
  environment: { unset: string[] };
}

/** `5.4.1` from `xz (XZ Utils) 5.4.1`. */
function installedXz(): string {
  const firstLine = execFileSync("xz", ["--version"], { encoding: "utf8" }).split("\n")[0] ?? "";
  return firstLine.split(" ").at(-1) ?? firstLine;
}

/** Files the publish wrote below `__envstacks__` that are expected output (not its stamps). */
async function metadataFiles(root: string): Promise<string[]> {
  return (await listFiles(root)).filter((f) => f === "envstacks.json" || /^env_metadata\//.test(f));
}

/** Writes each differing file of `actualRoot` over `expectedRoot`; removes those gone. */
async function updateCommitted(
  comparisons: readonly FileComparison[],
  actualRoot: string,
  expectedRoot: string,
): Promise<void> {
  for (const { path: relative, status } of comparisons) {
    const target = path.join(expectedRoot, relative);
    if (status === "removed") await rm(target);
    if (status === "changed" || status === "added") {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, await readFile(path.join(actualRoot, relative)));
    }
  }
}

/**
 * Compares, then in update mode writes the fresh files; otherwise fails listing the
 * differing files, with every unified diff (committed → fresh) in the message.
 */
async function expectSameAsCommitted(
  actualRoot: string,
  expectedRoot: string,
  relativePaths: string[],
  what: string,
): Promise<void> {
  const comparisons = await compareFiles(actualRoot, expectedRoot, relativePaths);
  const differing = comparisons.filter((c) => c.status !== "same");
  if (UPDATE) {
    await updateCommitted(differing, actualRoot, expectedRoot);
    if (differing.length > 0) console.log(`updated ${what}: ${differing.length} files`);
    return;
  }
  const message = `${what} differ from ${path.relative(REPO_ROOT, expectedRoot)}/ (${HOW_TO_UPDATE}):\n${formatComparisons(comparisons)}`;
  expect(
    differing.map((c) => `${c.status}: ${c.path}`),
    message,
  ).toEqual([]);
}

describe("the sample project against the committed expected output", () => {
  test("this machine has the tools and environment the expected output pins", {
    tags: ["slow", "expected_output"],
  }, async () => {
    const text = await readFile(CONFIG_FILE, "utf8");
    expect(text.split("\n")[0]).toMatch(/^# Last requested update: \d{4}-\d{2}-\d{2} \(.+\)$/);
    const config = parseToml(text) as unknown as ExpectedOutputConfig;
    const installed: [string, string, string][] = [
      ["tools.node", config.tools.node, process.versions.node],
      ["tools.zlib", config.tools.zlib, process.versions.zlib],
      ["tools.envstacks", config.tools.envstacks, envstacksVersion()],
      ["registry.url", config.registry.url, (await loadNpmOptions(SAMPLE_PROJECT)).registry],
    ];
    const platform = config.platforms[HOST];
    if (platform !== undefined) {
      installed.push([`platforms.${HOST}.xz`, platform.xz, installedXz()]);
    }
    const differing = installed
      .filter(([, pinned, actual]) => pinned !== actual)
      .map(
        ([key, pinned, actual]) => `${key} is pinned to "${pinned}", this machine has "${actual}"`,
      );
    // An update on a new platform makes its first expected output; the table comes after.
    if (platform === undefined && !UPDATE) {
      differing.push(`no [platforms.${HOST}] table: no expected output is committed for ${HOST}`);
    }
    for (const name of config.environment.unset) {
      if (process.env[name] !== undefined) differing.push(`environment: ${name} must not be set`);
    }
    expect(
      differing,
      `${path.relative(REPO_ROOT, CONFIG_FILE)} pins differ from this machine: use the pinned ` +
        'versions, or change the pins (and the "Last requested update" line), then run ' +
        "misc/update_expected_output.sh LIST_FILE and commit the files it lists",
    ).toEqual([]);
  });

  test("locking the sample gives the committed locks (sample_project/requirements/)", {
    tags: ["slow", "expected_output"],
  }, async () => {
    const fresh = path.join(sample().project, "requirements");
    const files = [...(await listFiles(fresh)), ...(await listFiles(COMMITTED_LOCKS))];
    await expectSameAsCommitted(fresh, COMMITTED_LOCKS, files, "sample locks");
  });

  test(`publishing the sample gives the committed metadata (expected-output/${HOST}/)`, {
    tags: ["slow", "expected_output"],
  }, async () => {
    const fresh = path.join(sample().outputDir, "__envstacks__");
    const files = [...(await metadataFiles(fresh)), ...(await metadataFiles(EXPECTED_METADATA))];
    expect(files).toContain("envstacks.json");
    await expectSameAsCommitted(fresh, EXPECTED_METADATA, files, `${HOST} metadata`);
  });

  test("a dry run of the committed sample plans every expected archive", {
    tags: ["slow", "expected_output"],
  }, async () => {
    const project = path.join(tempDir(), "sample_project");
    await copySampleProject(project);
    const outputDir = path.join(tempDir(), "out");
    const dry = await envstacks(
      ["build", "--publish", "--dry-run", "envstacks.toml", outputDir],
      project,
    );
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      publication: { archives: { archiveName?: string }[] };
    };
    const planned = plan.publication.archives.flatMap((a) => a.archiveName ?? []);
    const metadataDir = path.join(EXPECTED_METADATA, "env_metadata");
    const expected = await Promise.all(
      (await readdir(metadataDir)).map(async (file) => {
        const text = await readFile(path.join(metadataDir, file), "utf8");
        return (JSON.parse(text) as LayerMetadata).archive_name;
      }),
    );
    expect(planned.sort(), `archives planned for ${HOST}`).toEqual(expected.sort());
  });
});
