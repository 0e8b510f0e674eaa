import {
  chmod,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import type { BuildOptions, LayerInstaller } from "../../../src/build/build-layers.js";
import type { BuildEnvironment } from "../../../src/env/build-environment.js";
import { localExport } from "../../../src/export/local-export.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { lockStack, msPackage, PLATFORM, writeStackProject } from "./locked-stack.js";

const tempDir = useTempDir();

/** Writes an executable, a relative link and an absolute link into the build dir. */
const installer: LayerInstaller = async (layerDir, job) => {
  await mkdir(path.join(layerDir, "bin"));
  await writeFile(path.join(layerDir, "bin", "tool"), "#!/bin/sh\n");
  await chmod(path.join(layerDir, "bin", "tool"), 0o755);
  await writeFile(path.join(layerDir, "data.txt"), job.installTarget);
  await chmod(path.join(layerDir, "data.txt"), 0o640);
  await symlink("../data.txt", path.join(layerDir, "bin", "relative"));
  // What a careless installer might write: an absolute path inside the build dir.
  const runtimeFile = path.join(job.runtimeDir, "data.txt");
  await symlink(runtimeFile, path.join(layerDir, "runtime-data"));
};

let env: BuildEnvironment;
let output: string;

beforeEach(async () => {
  const spec = await writeStackProject(path.join(tempDir(), "project"));
  env = spec.defineBuildEnvironment(path.join(tempDir(), "build"));
  output = path.join(tempDir(), "exported");
  await lockStack(env, { own: { "framework-web": [msPackage("2.1.2")] } });
});

const options: BuildOptions = { platform: PLATFORM, offline: true, installLayer: installer };

function exportAll(include?: string[]) {
  const selection = env.select(include ? { include } : {}, ["lock", "build", "publish"]);
  return localExport(env, selection, output, options);
}

describe("localExport", () => {
  test("copies each built layer to its install target with modes and relative links", async () => {
    const results = await exportAll();
    expect(results.filter((r) => r.action === "exported").map((r) => r.installTarget)).toEqual([
      "node-22",
      "framework-web@1",
      "framework-tools",
      "app-server",
      "app-report",
      "app-tool",
    ]);
    expect(results.find((r) => r.layerName === "app-win-app")).toMatchObject({
      action: "skipped",
      reason: "not built for linux-x64 (platforms: win32-x64)",
    });
    expect((await readdir(output)).sort()).toEqual([
      "app-report",
      "app-server",
      "app-tool",
      "framework-tools",
      "framework-web@1",
      "node-22",
    ]);
    const app = path.join(output, "app-server");
    expect((await stat(path.join(app, "bin", "tool"))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(app, "data.txt"))).mode & 0o777).toBe(0o640);
    expect(await readlink(path.join(app, "bin", "relative"))).toBe("../data.txt");
    expect(await readlink(path.join(app, "runtime-data"))).toBe(
      path.join("..", "node-22", "data.txt"),
    );
    expect(await readFile(path.join(app, "runtime-data"), "utf8")).toBe("node-22");
  });

  test("a second export replaces the earlier one and drops older install targets", async () => {
    await exportAll();
    await writeFile(path.join(output, "app-tool", "stale"), "from an earlier export");
    await lockStack(env, {
      layers: ["framework-web", "app-server", "app-report"],
      own: { "framework-web": [msPackage("2.1.3")] },
    });
    const results = await exportAll();
    expect(results.find((r) => r.layerName === "framework-web")).toMatchObject({
      action: "exported",
      installTarget: "framework-web@2",
      build: "built",
    });
    expect(results.find((r) => r.layerName === "app-tool")?.build).toBe("up to date");
    const entries = await readdir(output);
    expect(entries).toContain("framework-web@2");
    expect(entries).not.toContain("framework-web@1");
    expect(entries.filter((e) => e.startsWith("."))).toEqual([]);
    expect(await readdir(path.join(output, "app-tool"))).not.toContain("stale");
  });

  test("only the selected layers are exported", async () => {
    await exportAll();
    const exported = path.join(tempDir(), "exported");
    output = path.join(tempDir(), "only-tool");
    const results = await exportAll(["app-tool"]);
    expect(results.map((r) => [r.layerName, r.action])).toEqual([["app-tool", "exported"]]);
    expect(await readdir(output)).toEqual(["app-tool"]);
    expect(await readdir(exported)).toHaveLength(6);
  });
});
