/**
 * `share/envstacks/layer.json`: what a deployed layer knows about its place in the stack.
 * The link assets read it at run time to find a layer's lower layers, so it holds install
 * targets (directory names) only, never an absolute path: a deployment can be moved.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import type { Layer, LayerGraph } from "../graph/layers.js";
import { stableJson } from "../lock/hashes.js";
import type { LayerKind } from "../spec/types.js";

export interface LayerConfig {
  layer_name: string;
  install_target: string;
  kind: LayerKind;
  /** Install target of the runtime layer (the layer's own for a runtime). */
  runtime: string;
  /** Install targets of the lower layers, in resolution order (first wins). */
  lower_layers: string[];
}

/** Where a layer's config lives, relative to the layer directory. */
export const LAYER_CONFIG_PATH = join("share", "envstacks", "layer.json");

/**
 * The config of `layer`. `installTargetOf` names each layer's directory (versioned layers
 * carry their lock version, which only the caller knows).
 */
export function layerConfigFor(
  graph: LayerGraph,
  layer: Layer,
  installTargetOf: (layer: Layer) => string,
): LayerConfig {
  // A layer from another graph would silently link against the wrong stack.
  if (graph.get(layer.layerName) !== layer) {
    throw new Error(`layer ${layer.layerName} does not belong to this layer graph`);
  }
  return {
    layer_name: layer.layerName,
    install_target: installTargetOf(layer),
    kind: layer.kind,
    runtime: installTargetOf(layer.runtime),
    lower_layers: layer.lowerLayers.map(installTargetOf),
  };
}

/** Writes `<layerDir>/share/envstacks/layer.json` (sorted keys, 2-space indent, final newline). */
export async function writeLayerConfig(layerDir: string, config: LayerConfig): Promise<void> {
  await writeFileAtomic(join(layerDir, LAYER_CONFIG_PATH), stableJson(config));
}
