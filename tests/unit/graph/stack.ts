/**
 * A small stack covering every graph shape: two runtimes (one versioned), a framework on
 * another framework, apps on frameworks and an app directly on a runtime.
 */
import { LayerGraph } from "../../../src/graph/layers.js";
import { application, framework, runtime } from "./layer-specs.js";

export function sampleLayerSpecs() {
  return [
    runtime("node-22"),
    runtime("node-20", { versioned: true, platforms: ["linux-x64"] }),
    framework("base", "node-22"),
    framework("web", "node-22", ["base"], { versioned: true }),
    framework("ml", "node-20", [], { platforms: ["linux-x64"] }),
    application("server", "node-22", ["web", "base"]),
    application("tool", "node-22"),
    application("trainer", "node-20", ["ml"], { platforms: ["linux-x64"] }),
  ];
}

export function sampleGraph(): LayerGraph {
  return LayerGraph.fromSpec({ layers: sampleLayerSpecs() });
}
