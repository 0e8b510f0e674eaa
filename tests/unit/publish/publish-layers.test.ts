/**
 * publishLayers on a small stack locked without the registry and built by a fake installer:
 * archive names, metadata against the archives, up-to-date detection, archive_build,
 * --tag-outputs, --dry-run, repair of an interrupted publish, and the lock rule of `publish`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import type { LayerInstaller } from "../../../src/build/build-layers.js";
import type { BuildEnvironment } from "../../../src/env/build-environment.js";
import type { LayerMetadata, StackMetadata } from "../../../src/metadata/layer-metadata.js";
import {
  archiveBuild,
  type PublishOptions,
  publishLayers,
} from "../../../src/publish/publish-layers.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { lockStack, msPackage, PLATFORM, writeStackProject } from "../build/locked-stack.js";

const tempDir = useTempDir();

const installer: LayerInstaller = async (layerDir, job) => {
  await mkdir(path.join(layerDir, "bin"));
  await writeFile(path.join(layerDir, "bin", "tool"), "#!/bin/sh\necho tool\n", { mode: 0o755 });
  await writeFile(path.join(layerDir, "data.txt"), `${job.installTarget}\n`);
  const { spec } = job.layer;
  if (spec.kind === "application" && !spec.launchModule.endsWith("report")) {
    await writeFile(path.join(layerDir, "app.mjs"), await readFile(spec.launchModule));
  }
};

/** Layers the stack builds for linux-x64, and their install targets. */
const LINUX_TARGETS = [
  "node-22",
  "framework-web@1",
  "framework-tools",
  "app-server",
  "app-report",
  "app-tool",
];

let project: string;
let env: BuildEnvironment;
let output: string;

beforeEach(async () => {
  project = path.join(tempDir(), "project");
  const spec = await writeStackProject(project);
  env = spec.defineBuildEnvironment(path.join(tempDir(), "build"));
  output = path.join(tempDir(), "out");
  await lockStack(env, { own: { "framework-web": [msPackage("2.1.2")] } });
});

function publish(options: PublishOptions = {}, include?: string[]) {
  const selection = env.select(include ? { include } : {}, ["build", "publish"]);
  return publishLayers(env, selection, output, {
    platform: PLATFORM,
    offline: true,
    installLayer: installer,
    format: "tar.gz",
    ...options,
  });
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, "utf8")) as T;
}

const metadataOf = (layerName: string) =>
  readJson<LayerMetadata>(path.join(output, "__envstacks__", "env_metadata", `${layerName}.json`));

async function sha256(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** Every file below `dir` with its mtime, by relative path. */
async function mtimes(dir: string): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, file)] = (await stat(file)).mtimeMs;
  }
  return result;
}

describe("publishLayers", () => {
  test("writes one archive per layer and metadata that matches it", async () => {
    const report = await publish();
    expect(report.layers.filter((l) => l.action === "written").map((l) => l.archiveName)).toEqual(
      LINUX_TARGETS.map((t) => `${t}.tar.gz`),
    );
    expect(report.layers.find((l) => l.layerName === "app-win-app")).toMatchObject({
      action: "skipped",
    });
    const archives = (await readdir(output)).filter((f) => f !== "__envstacks__").sort();
    expect(archives).toEqual(LINUX_TARGETS.map((t) => `${t}.tar.gz`).sort());

    for (const target of LINUX_TARGETS) {
      const layerName = target.split("@")[0] ?? target;
      const metadata = await metadataOf(layerName);
      const archive = path.join(output, metadata.archive_name);
      expect(metadata.archive_size).toBe((await stat(archive)).size);
      expect(metadata.archive_hashes.sha256).toBe(await sha256(archive));
      // One top-level directory named after the install target.
      const members = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n");
      const tops = new Set(members.filter(Boolean).map((m) => m.split("/")[0]));
      expect([...tops]).toEqual([target]);
    }

    const server = await metadataOf("app-server");
    expect(server).toMatchObject({
      layer_name: "app-server",
      install_target: "app-server",
      archive_format: "tar.gz",
      archive_build: 1,
      lock_version: 1,
      locked_at: "2025-01-01T00:00:00.000Z",
      node_implementation: "node@22.14.0",
      runtime_layer: "node-22",
      required_layers: ["framework-web@1", "node-22"],
      target_platform: "linux-x64",
      app_launch_module: "server.mjs",
      app_support_modules: [{ name: "format.mjs" }],
    });
    expect(server.requirements_hash).toMatch(/^sha256:/);
    expect(server.app_launch_module_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await metadataOf("node-22")).runtime_layer).toBe("node-22");
    expect(await metadataOf("node-22")).not.toHaveProperty("app_launch_module");

    const stack = await readJson<StackMetadata>(
      path.join(output, "__envstacks__", "envstacks.json"),
    );
    expect(stack.layers.runtimes.map((m) => m.install_target)).toEqual(["node-22"]);
    expect(stack.layers.frameworks.map((m) => m.install_target)).toEqual([
      "framework-web@1",
      "framework-tools",
    ]);
    expect(stack.layers.applications).toEqual([
      await metadataOf("app-server"),
      await metadataOf("app-report"),
      await metadataOf("app-tool"),
    ]);
    const text = await readFile(path.join(output, "__envstacks__", "envstacks.json"), "utf8");
    expect(text).not.toContain(tempDir());
  });

  test("a second publish rewrites nothing", async () => {
    await publish();
    const before = await mtimes(output);
    const report = await publish();
    expect(new Set(report.layers.map((l) => l.action))).toEqual(new Set(["up to date", "skipped"]));
    expect(await mtimes(output)).toEqual(before);
  });

  test("a changed launch module rewrites only its app, as archive_build 2", async () => {
    await publish();
    const before = await mtimes(output);
    await appendFile(path.join(project, "launch_modules", "server.mjs"), "// changed\n");
    const report = await publish();
    expect(report.layers.filter((l) => l.action === "written").map((l) => l.layerName)).toEqual([
      "app-server",
    ]);
    const server = await metadataOf("app-server");
    expect(server.archive_build).toBe(2);
    expect(server.archive_hashes.sha256).toBe(await sha256(path.join(output, "app-server.tar.gz")));
    const after = await mtimes(output);
    const changed = Object.keys(after).filter((file) => after[file] !== before[file]);
    expect(changed.sort()).toEqual(
      [
        "app-server.tar.gz",
        path.join("__envstacks__", "env_metadata", "app-server.json"),
        path.join("__envstacks__", "publish_stamps", "app-server.json"),
        path.join("__envstacks__", "envstacks.json"),
      ].sort(),
    );
  });

  test("--tag-outputs names archives with platform and build; a rename replaces the old archive", async () => {
    await publish();
    const report = await publish({ tagOutputs: true }, ["app-tool"]);
    expect(report.layers.find((l) => l.layerName === "app-tool")?.archiveName).toBe(
      "app-tool-linux-x64-1.tar.gz",
    );
    const files = await readdir(output);
    expect(files).toContain("app-tool-linux-x64-1.tar.gz");
    expect(files).not.toContain("app-tool.tar.gz");
    expect((await metadataOf("app-tool")).archive_name).toBe("app-tool-linux-x64-1.tar.gz");
  });

  test("zip is selectable; the metadata records it and the other format's archive goes", async () => {
    await publish();
    const report = await publish({ format: "zip" }, ["app-tool"]);
    expect(report.layers.find((l) => l.layerName === "app-tool")).toMatchObject({
      action: "written",
      reason: "archive format changed",
      archiveName: "app-tool.zip",
    });
    const listed = execFileSync("unzip", ["-Z1", path.join(output, "app-tool.zip")], {
      encoding: "utf8",
    });
    expect(
      new Set(
        listed
          .split("\n")
          .filter(Boolean)
          .map((m) => m.split("/")[0]),
      ),
    ).toEqual(new Set(["app-tool"]));
    expect(await readdir(output)).not.toContain("app-tool.tar.gz");
    expect(await metadataOf("app-tool")).toMatchObject({
      archive_name: "app-tool.zip",
      archive_format: "zip",
    });
  });

  test("repairs an interrupted publish: stale temp files go, a damaged archive is rewritten", async () => {
    await publish();
    const good = await readFile(path.join(output, "app-tool.tar.gz"));
    await truncate(path.join(output, "app-tool.tar.gz"), 10);
    await writeFile(path.join(output, ".app-report.tar.gz.envstacks-tmp-0123abcd"), "partial");
    await writeFile(
      path.join(output, "__envstacks__", "env_metadata", ".app-report.json.123.0123456789ab.tmp"),
      "{",
    );
    const report = await publish();
    expect(report.layers.find((l) => l.layerName === "app-tool")).toMatchObject({
      action: "written",
      reason: "archive does not match its metadata",
      archiveBuild: 1,
    });
    expect(await readFile(path.join(output, "app-tool.tar.gz"))).toEqual(good);
    expect(await readdir(output)).not.toContain(".app-report.tar.gz.envstacks-tmp-0123abcd");
    expect(
      (await readdir(path.join(output, "__envstacks__", "env_metadata"))).filter((f) =>
        f.startsWith("."),
      ),
    ).toEqual([]);
  });

  test("--dry-run writes nothing and lists the plan", async () => {
    const plan = await publish({ dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(env.buildDir)).toBe(false);
    expect(plan.layers.find((l) => l.layerName === "app-server")).toMatchObject({
      action: "would write",
      archiveName: "app-server.tar.gz",
      archiveFormat: "tar.gz",
    });
    expect(plan.layers.find((l) => l.layerName === "app-win-app")?.action).toBe("skipped");

    await publish();
    const before = await mtimes(output);
    await appendFile(path.join(project, "launch_modules", "tool.mjs"), "// changed\n");
    const again = await publish({ dryRun: true });
    expect(again.layers.find((l) => l.layerName === "app-server")).toMatchObject({
      action: "up to date",
      archiveName: "app-server.tar.gz",
    });
    expect(again.layers.find((l) => l.layerName === "app-tool")).toMatchObject({
      action: "would write",
      reason: "would build first",
      archiveName: "app-tool.tar.gz",
      archiveBuild: 2,
    });
    const tagged = await publish({ dryRun: true, tagOutputs: true });
    expect(tagged.layers.find((l) => l.layerName === "app-tool")?.archiveName).toBe(
      "app-tool-linux-x64-2.tar.gz",
    );
    expect(tagged.layers.find((l) => l.layerName === "app-server")).toMatchObject({
      action: "would write",
      reason: "archive name changed",
    });
    expect(await mtimes(output)).toEqual(before);
  });

  test("publish without locking names a layer whose lock is missing", async () => {
    await writeFile(
      path.join(project, "envstacks.toml"),
      `${await readFile(path.join(project, "envstacks.toml"), "utf8")}
[[applications]]
name = "extra"
launch_module = "launch_modules/tool.mjs"
runtime = "node-22"
`,
    );
    const { StackSpec } = await import("../../../src/spec/stack-spec.js");
    env = (await StackSpec.load(path.join(project, "envstacks.toml"))).defineBuildEnvironment(
      env.buildDir,
    );
    await expect(publish()).rejects.toThrow(/^app-extra: cannot publish: its lock is missing/);
    expect(existsSync(output)).toBe(false);
  });
});

describe("archiveBuild", () => {
  const previous = { lock_version: 3, archive_build: 2, archive_hashes: { sha256: "aa" } };
  test("starts at 1, keeps the number for the same bytes, counts changes", () => {
    expect(archiveBuild(undefined, 1, "aa")).toBe(1);
    expect(archiveBuild(previous, 3, "aa")).toBe(2);
    expect(archiveBuild(previous, 3, "bb")).toBe(3);
    expect(archiveBuild(previous, 4, "bb")).toBe(1);
  });
});
