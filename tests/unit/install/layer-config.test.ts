import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { type Layer, LayerGraph } from "../../../src/graph/layers.js";
import { layerConfigFor, writeLayerConfig } from "../../../src/install/layer-config.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const SAMPLE_SPEC = path.resolve(import.meta.dirname, "../../../sample_project/envstacks.toml");

async function sampleGraph(): Promise<LayerGraph> {
  return LayerGraph.fromSpec(await StackSpec.load(SAMPLE_SPEC));
}

/** Versioned layers at lock version 3, so the install targets differ from the names. */
function targetsFor(graph: LayerGraph): (layer: Layer) => string {
  return (layer) => graph.installTarget(layer, 3);
}

describe("layerConfigFor", () => {
  test("an app lists its frameworks in resolution order, then the runtime, as install targets", async () => {
    const graph = await sampleGraph();
    const config = layerConfigFor(graph, graph.get("app-server"), targetsFor(graph));
    expect(config).toEqual({
      layer_name: "app-server",
      install_target: "app-server",
      kind: "application",
      runtime: "node-22",
      lower_layers: ["framework-web-extras", "framework-web@3", "node-22"],
    });
  });

  test("a versioned framework names itself by install target; a versioned runtime too", async () => {
    const graph = await sampleGraph();
    const targets = targetsFor(graph);
    expect(layerConfigFor(graph, graph.get("framework-web"), targets)).toMatchObject({
      layer_name: "framework-web",
      install_target: "framework-web@3",
      lower_layers: ["node-22"],
    });
    expect(layerConfigFor(graph, graph.get("framework-legacy"), targets)).toMatchObject({
      runtime: "node-20@3",
      lower_layers: ["node-20@3"],
    });
  });

  test("a runtime is its own runtime and has no lower layers", async () => {
    const graph = await sampleGraph();
    expect(layerConfigFor(graph, graph.get("node-22"), targetsFor(graph))).toEqual({
      layer_name: "node-22",
      install_target: "node-22",
      kind: "runtime",
      runtime: "node-22",
      lower_layers: [],
    });
  });

  test("a layer of another graph is refused", async () => {
    const graph = await sampleGraph();
    const other = await sampleGraph();
    expect(() => layerConfigFor(graph, other.get("app-hello"), targetsFor(graph))).toThrow(
      /app-hello does not belong to this layer graph/,
    );
  });
});

describe("writeLayerConfig", () => {
  const tempDir = useTempDir();

  test("writes share/envstacks/layer.json with sorted keys, 2-space indent and a final newline", async () => {
    await writeLayerConfig(tempDir(), {
      layer_name: "app-report",
      install_target: "app-report",
      kind: "application",
      runtime: "node-22",
      lower_layers: ["framework-web@1", "framework-tools", "node-22"],
    });
    const text = await readFile(path.join(tempDir(), "share", "envstacks", "layer.json"), "utf8");
    expect(text).toBe(
      [
        "{",
        '  "install_target": "app-report",',
        '  "kind": "application",',
        '  "layer_name": "app-report",',
        '  "lower_layers": [',
        '    "framework-web@1",',
        '    "framework-tools",',
        '    "node-22"',
        "  ],",
        '  "runtime": "node-22"',
        "}",
        "",
      ].join("\n"),
    );
  });
});
