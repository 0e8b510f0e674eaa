import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { TARGET_PLATFORMS } from "../../../src/spec/types.js";

const FULL = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../fixtures/specs/full/envstacks.toml",
);
const FULL_DIR = path.dirname(FULL);

describe("StackSpec on the full fixture", () => {
  test("paths and settings", async () => {
    const spec = await StackSpec.load(FULL);
    expect(spec.specPath).toBe(FULL);
    expect(spec.specDir).toBe(FULL_DIR);
    expect(spec.displayPath).toBe(FULL);
    expect(spec.settings).toEqual({
      excludeNewer: new Date("2025-06-01T00:00:00Z"),
      runtimeSource: "nodejs-dist",
      runtimeMirror: "https://nodejs.org/dist/",
    });
    expect(spec.requirementsDir("framework-web")).toBe(
      path.join(FULL_DIR, "requirements", "framework-web"),
    );
  });

  test("layers come as runtimes, frameworks, applications, each in file order", async () => {
    const spec = await StackSpec.load(FULL);
    expect(spec.layers.map((layer) => layer.layerName)).toEqual([
      "node-22",
      "node-20",
      "framework-base",
      "framework-web",
      "framework-db",
      "framework-tools",
      "framework-legacy",
      "app-server",
      "app-report",
      "app-cli",
      "app-legacy-tool",
    ]);
    expect(spec.getLayer("framework-db")).toBe(spec.frameworks[2]);
    expect(spec.getLayer("db")).toBeUndefined();
  });

  test("runtimes, inherited runtimes and platforms, framework orders", async () => {
    const spec = await StackSpec.load(FULL);
    const summary = Object.fromEntries(
      spec.layers.map((layer) => [
        layer.layerName,
        layer.kind === "runtime"
          ? { node: layer.nodeVersion, versioned: layer.versioned, platforms: layer.platforms }
          : {
              runtime: layer.runtime,
              order: layer.frameworkOrder,
              versioned: layer.versioned,
              platforms: layer.platforms,
            },
      ]),
    );
    const node22 = ["linux-x64", "linux-arm64", "darwin-arm64", "win32-x64"];
    expect(summary).toEqual({
      "node-22": { node: "22.12.0", versioned: false, platforms: node22 },
      "node-20": { node: "20.19.0", versioned: true, platforms: [...TARGET_PLATFORMS] },
      "framework-base": { runtime: "node-22", order: [], versioned: false, platforms: node22 },
      "framework-web": { runtime: "node-22", order: ["base"], versioned: true, platforms: node22 },
      "framework-db": {
        runtime: "node-22",
        order: ["base"],
        versioned: false,
        platforms: ["linux-x64", "darwin-arm64"],
      },
      "framework-tools": {
        runtime: "node-22",
        order: [],
        versioned: false,
        platforms: ["linux-x64", "linux-arm64"],
      },
      "framework-legacy": {
        runtime: "node-20",
        order: [],
        versioned: false,
        platforms: [...TARGET_PLATFORMS],
      },
      "app-server": {
        runtime: "node-22",
        order: ["web", "db", "base"],
        versioned: false,
        platforms: ["linux-x64", "darwin-arm64"],
      },
      "app-report": {
        runtime: "node-22",
        order: ["tools"],
        versioned: true,
        platforms: ["linux-x64", "linux-arm64"],
      },
      "app-cli": {
        runtime: "node-20",
        order: [],
        versioned: false,
        platforms: ["linux-x64", "win32-arm64"],
      },
      "app-legacy-tool": {
        runtime: "node-20",
        order: ["legacy"],
        versioned: false,
        platforms: [...TARGET_PLATFORMS],
      },
    });
  });

  test("requirements, allow_scripts and modules", async () => {
    const spec = await StackSpec.load(FULL);
    expect(spec.getLayer("framework-base")?.requirements).toEqual([
      { raw: "ms@2.1.3", name: "ms", range: "2.1.3", type: "version" },
      { raw: "debug@latest", name: "debug", range: "latest", type: "tag" },
    ]);
    expect(spec.getLayer("framework-tools")?.allowScripts).toEqual(["esbuild"]);
    expect(spec.applications.map((app) => [app.launchModule, app.supportModules])).toEqual([
      [
        path.join(FULL_DIR, "launch_modules/server.mjs"),
        [
          path.join(FULL_DIR, "support_modules/format.mjs"),
          path.join(FULL_DIR, "support_modules/helpers"),
        ],
      ],
      [path.join(FULL_DIR, "launch_modules/report.cjs"), []],
      [path.join(FULL_DIR, "launch_modules/cli"), []],
      [path.join(FULL_DIR, "launch_modules/legacy.js"), []],
    ]);
  });

  test("defineBuildEnvironment builds on this spec, by default in _build beside it", async () => {
    const spec = await StackSpec.load(FULL);
    const env = spec.defineBuildEnvironment();
    expect(env.spec).toBe(spec);
    expect(env.buildDir).toBe(path.join(FULL_DIR, "_build"));
    const elsewhere = path.join(FULL_DIR, "elsewhere");
    expect(spec.defineBuildEnvironment(elsewhere).buildDir).toBe(elsewhere);
  });
});
