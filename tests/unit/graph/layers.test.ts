import { describe, expect, test } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { LayerGraph } from "../../../src/graph/layers.js";
import { sampleGraph, sampleLayerSpecs } from "./stack.js";

const names = (layers: readonly { layerName: string }[]) => layers.map((l) => l.layerName);

describe("LayerGraph", () => {
  test("lists runtimes, then frameworks, then applications, each in spec order", () => {
    const specs = sampleLayerSpecs();
    const rank = { application: 0, framework: 1, runtime: 2 };
    const appsFirst = [...specs].sort((a, b) => rank[a.kind] - rank[b.kind]);
    const graph = LayerGraph.fromSpec({ layers: appsFirst });
    expect(names(graph.layers)).toEqual(names(specs));
  });

  test("keeps spec order when the spec is already grouped", () => {
    expect(names(sampleGraph().layers)).toEqual([
      "node-22",
      "node-20",
      "framework-base",
      "framework-web",
      "framework-ml",
      "app-server",
      "app-tool",
      "app-trainer",
    ]);
  });

  test("an application resolves its frameworks in C3 order, then its runtime", () => {
    const server = sampleGraph().get("app-server");
    expect(server.kind).toBe("application");
    expect(server.runtime.layerName).toBe("node-22");
    expect(names(server.frameworks)).toEqual(["framework-web", "framework-base"]);
    expect(names(server.lowerLayers)).toEqual(["framework-web", "framework-base", "node-22"]);
  });

  test("an application without frameworks builds on its runtime alone", () => {
    const tool = sampleGraph().get("app-tool");
    expect(tool.frameworks).toEqual([]);
    expect(names(tool.lowerLayers)).toEqual(["node-22"]);
  });

  test("a framework on another framework resolves through it", () => {
    const web = sampleGraph().get("framework-web");
    expect(names(web.lowerLayers)).toEqual(["framework-base", "node-22"]);
  });

  test("a runtime has no lower layers and is its own runtime", () => {
    const node = sampleGraph().get("node-22");
    expect(node.lowerLayers).toEqual([]);
    expect(node.runtime).toBe(node);
  });

  test("nodes are shared: a layer's runtime is the graph's runtime node", () => {
    const graph = sampleGraph();
    expect(graph.get("app-trainer").runtime).toBe(graph.get("node-20"));
    expect(graph.get("app-server").frameworks[1]).toBe(graph.get("framework-base"));
  });

  test("layers carry their spec and platforms", () => {
    const trainer = sampleGraph().get("app-trainer");
    expect(trainer.platforms).toEqual(["linux-x64"]);
    expect(trainer.spec.name).toBe("trainer");
  });

  test("get() of an unknown layer is a usage error listing the layers", () => {
    const graph = sampleGraph();
    expect(graph.has("app-nope")).toBe(false);
    expect(() => graph.get("app-nope")).toThrow(UsageError);
    expect(() => graph.get("app-nope")).toThrow(/unknown layer "app-nope" \(layers: node-22, /);
  });

  test("dependentsOf() lists every layer built on a layer, transitively", () => {
    const graph = sampleGraph();
    expect(names(graph.dependentsOf(graph.get("framework-base")))).toEqual([
      "framework-web",
      "app-server",
    ]);
    expect(names(graph.dependentsOf(graph.get("node-22")))).toEqual([
      "framework-base",
      "framework-web",
      "app-server",
      "app-tool",
    ]);
    expect(graph.dependentsOf(graph.get("app-server"))).toEqual([]);
  });
});

describe("installTarget", () => {
  test("is the layer name for an unversioned layer, whatever the lock version", () => {
    const graph = sampleGraph();
    expect(graph.installTarget(graph.get("app-server"))).toBe("app-server");
    expect(graph.installTarget(graph.get("node-22"), 7)).toBe("node-22");
  });

  test("carries the lock version for a versioned layer", () => {
    const graph = sampleGraph();
    expect(graph.installTarget(graph.get("framework-web"), 3)).toBe("framework-web@3");
    expect(graph.installTarget(graph.get("node-20"), 12)).toBe("node-20@12");
  });

  test("a versioned layer that was never locked gets version 1", () => {
    const graph = sampleGraph();
    expect(graph.installTarget(graph.get("node-20"))).toBe("node-20@1");
  });
});
