import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { appModulesMetadata, hashModule } from "../../../src/metadata/app-modules.js";
import {
  type LayerMetadata,
  layerMetadataPath,
  parseLayerMetadata,
  renderMetadata,
  stackMetadata,
  stackMetadataPath,
} from "../../../src/metadata/layer-metadata.js";
import type { ApplicationSpec } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

function metadata(layerName: string, extra: Partial<LayerMetadata> = {}): LayerMetadata {
  return {
    layer_name: layerName,
    install_target: layerName,
    archive_name: `${layerName}.tar.xz`,
    archive_format: "tar.xz",
    archive_size: 10,
    archive_hashes: { sha256: "ab".repeat(32) },
    archive_build: 1,
    lock_version: 1,
    locked_at: "2025-01-01T00:00:00.000Z",
    requirements_hash: "sha256:00",
    node_implementation: "node@22.14.0",
    runtime_layer: "node-22",
    required_layers: ["node-22"],
    target_platform: "linux-x64",
    ...extra,
  };
}

describe("layer metadata files", () => {
  test("live under __envstacks__ in the output dir", () => {
    expect(layerMetadataPath("/out", "app-x")).toBe(
      path.join("/out", "__envstacks__", "env_metadata", "app-x.json"),
    );
    expect(stackMetadataPath("/out")).toBe(path.join("/out", "__envstacks__", "envstacks.json"));
  });

  test("render with sorted keys, 2-space indent and a trailing newline", () => {
    const text = renderMetadata(metadata("app-x"));
    expect(text.endsWith("}\n")).toBe(true);
    const keys = [...text.matchAll(/^ {2}"([a-z_]+)":/gm)].map((m) => m[1]);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain("archive_hashes");
    expect(text).toContain('\n  "archive_hashes": {\n    "sha256": ');
  });

  test("parse back what was rendered; damaged files read as absent", () => {
    const m = metadata("app-x");
    expect(parseLayerMetadata(renderMetadata(m))).toEqual(m);
    expect(parseLayerMetadata("{")).toBeUndefined();
    expect(parseLayerMetadata('{"layer_name": "x"}')).toBeUndefined();
    const { archive_hashes: _, ...noHashes } = m;
    expect(parseLayerMetadata(JSON.stringify(noHashes))).toBeUndefined();
  });

  test("envstacks.json groups layers by kind, keeping their order", () => {
    const stack = stackMetadata([
      { kind: "runtime", metadata: metadata("node-22") },
      { kind: "framework", metadata: metadata("framework-b") },
      { kind: "framework", metadata: metadata("framework-a") },
      { kind: "application", metadata: metadata("app-x") },
    ]);
    expect(Object.keys(stack.layers)).toEqual(["runtimes", "frameworks", "applications"]);
    expect(stack.layers.frameworks.map((m) => m.layer_name)).toEqual([
      "framework-b",
      "framework-a",
    ]);
    expect(stack.layers.runtimes).toHaveLength(1);
    expect(stack.layers.applications[0]).toEqual(metadata("app-x"));
  });
});

describe("application module hashes", () => {
  test("a file hashes to the sha256 of its bytes", async () => {
    const file = path.join(tempDir(), "main.mjs");
    await writeFile(file, "hello\n");
    // sha256("hello\n")
    expect(await hashModule(file)).toBe(
      "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
    );
  });

  test("a directory hashes by relative paths and contents, not location or node_modules", async () => {
    const write = async (root: string, files: Record<string, string>) => {
      for (const [name, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, name)), { recursive: true });
        await writeFile(path.join(root, name), content);
      }
      return hashModule(root);
    };
    const files = { "package.json": "{}", "lib/a.js": "a", "lib/b.js": "b" };
    const first = await write(path.join(tempDir(), "one", "cli"), files);
    const moved = await write(path.join(tempDir(), "two", "elsewhere"), files);
    expect(moved).toBe(first);
    const withModules = await write(path.join(tempDir(), "three"), {
      ...files,
      "node_modules/x/index.js": "x",
    });
    expect(withModules).toBe(first);
    const renamed = await write(path.join(tempDir(), "four"), {
      "package.json": "{}",
      "lib/a.js": "a",
      "lib/c.js": "b",
    });
    expect(renamed).not.toBe(first);
    // Moving bytes across the boundary between two files changes the hash.
    const shifted = await write(path.join(tempDir(), "five"), {
      "package.json": "{}",
      "lib/a.js": "ab",
      "lib/b.js": "",
    });
    expect(shifted).not.toBe(first);
  });

  test("an app's metadata names its launch module and support modules with hashes", async () => {
    const launch = path.join(tempDir(), "server.mjs");
    const support = path.join(tempDir(), "format.mjs");
    await writeFile(launch, "x");
    await writeFile(support, "y");
    const app = {
      kind: "application",
      launchModule: launch,
      supportModules: [support],
    } as ApplicationSpec;
    expect(await appModulesMetadata(app)).toEqual({
      app_launch_module: "server.mjs",
      app_launch_module_hash: await hashModule(launch),
      app_support_modules: [{ name: "format.mjs", hash: await hashModule(support) }],
    });
  });
});
