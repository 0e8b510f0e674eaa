import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { installApplication } from "../../../src/install/application.js";
import type { LayerConfig } from "../../../src/install/layer-config.js";
import { LINK_ASSETS_DIR } from "../../../src/install/linking.js";
import type { ApplicationSpec } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const config: LayerConfig = {
  layer_name: "app-cli",
  install_target: "app-cli",
  kind: "application",
  runtime: "node-22",
  lower_layers: ["node-22"],
};

function appSpec(launchModule: string, supportModules: string[] = []): ApplicationSpec {
  return {
    kind: "application",
    name: "cli",
    layerName: "app-cli",
    requirements: [],
    versioned: false,
    platforms: ["linux-x64"],
    allowScripts: [],
    runtime: "node-22",
    frameworks: [],
    frameworkOrder: [],
    launchModule,
    supportModules,
  };
}

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe("installApplication", () => {
  const tempDir = useTempDir();
  let sources: string;
  let layerDir: string;
  beforeEach(async () => {
    sources = path.join(tempDir(), "sources");
    layerDir = path.join(tempDir(), "build", "app-cli");
    await mkdir(path.join(sources, "cli", "lib"), { recursive: true });
    await mkdir(path.join(sources, "cli", "node_modules", "dep"), { recursive: true });
    await writeFile(path.join(sources, "cli", "package.json"), '{"main":"lib/main.js"}');
    await writeFile(path.join(sources, "cli", "lib", "main.js"), "console.log(1);\n");
    await writeFile(path.join(sources, "cli", "node_modules", "dep", "index.js"), "");
    await writeFile(path.join(sources, "log.mjs"), "export {};\n");
    await writeFile(path.join(sources, "tool.cjs"), "module.exports = 1;\n");
  });

  test("copies a directory launch module without node_modules, support modules beside it", async () => {
    const spec = appSpec(path.join(sources, "cli"), [
      path.join(sources, "log.mjs"),
      path.join(sources, "tool.cjs"),
    ]);
    await installApplication(layerDir, spec, config, "linux-x64");
    expect((await readdir(path.join(layerDir, "app"))).sort()).toEqual([
      "cli",
      "log.mjs",
      "tool.cjs",
    ]);
    expect((await readdir(path.join(layerDir, "app", "cli"))).sort()).toEqual([
      "lib",
      "package.json",
    ]);
    const launcher = await readFile(path.join(layerDir, "bin", "app-cli"), "utf8");
    expect(launcher).toContain(`"$layer/app/"'cli' "$@"`);
  });

  test("normalises modes: files 0644, directories 0755, whatever the sources had", async () => {
    await chmod(path.join(sources, "cli", "lib", "main.js"), 0o700);
    await chmod(path.join(sources, "log.mjs"), 0o600);
    await chmod(path.join(sources, "cli", "lib"), 0o700);
    const spec = appSpec(path.join(sources, "cli"), [path.join(sources, "log.mjs")]);
    await installApplication(layerDir, spec, config, "linux-x64");
    expect(await modeOf(path.join(layerDir, "app", "cli", "lib", "main.js"))).toBe(0o644);
    expect(await modeOf(path.join(layerDir, "app", "log.mjs"))).toBe(0o644);
    expect(await modeOf(path.join(layerDir, "app", "cli", "lib"))).toBe(0o755);
    expect(await modeOf(path.join(layerDir, "app"))).toBe(0o755);
  });

  test("installs the link assets and the launchers for the target platform", async () => {
    await installApplication(layerDir, appSpec(path.join(sources, "log.mjs")), config, "win32-x64");
    for (const asset of ["link.cjs", "link-hooks.mjs"]) {
      const installed = path.join(layerDir, "share", "envstacks", asset);
      expect(await readFile(installed, "utf8")).toBe(
        await readFile(path.join(LINK_ASSETS_DIR, asset), "utf8"),
      );
      expect(await modeOf(installed)).toBe(0o644);
    }
    expect((await readdir(path.join(layerDir, "bin"))).sort()).toEqual(["app-cli", "app-cli.cmd"]);
  });

  test("a rebuild leaves no module of the previous build behind", async () => {
    await installApplication(layerDir, appSpec(path.join(sources, "cli")), config, "linux-x64");
    await installApplication(layerDir, appSpec(path.join(sources, "log.mjs")), config, "linux-x64");
    expect(await readdir(path.join(layerDir, "app"))).toEqual(["log.mjs"]);
  });
});
