/**
 * The layer graph: one node per layer of a validated spec, linked to the lower layers it
 * builds on. The spec has already checked every reference, so lookups here cannot fail
 * for names that come from the spec itself.
 */
import { UsageError } from "../errors.js";
import type { LayerKind, LayerSpec, TargetPlatform } from "../spec/types.js";

/** What the graph needs from a stack spec (a `StackSpec` satisfies it). */
export interface LayerSource {
  /** Runtimes, then frameworks, then applications; no forward references. */
  readonly layers: readonly LayerSpec[];
}

export class Layer {
  readonly layerName: string;
  readonly kind: LayerKind;
  readonly platforms: readonly TargetPlatform[];
  /** Framework layers in the spec's `frameworkOrder` (nearest first). */
  readonly frameworks: readonly Layer[];
  /** Resolution order: frameworks (C3 order), then the runtime; empty for a runtime. */
  readonly lowerLayers: readonly Layer[];
  readonly #runtime: Layer | undefined;

  constructor(
    readonly spec: LayerSpec,
    runtime: Layer | undefined,
    frameworks: readonly Layer[],
  ) {
    this.layerName = spec.layerName;
    this.kind = spec.kind;
    this.platforms = spec.platforms;
    this.#runtime = runtime;
    this.frameworks = frameworks;
    this.lowerLayers = runtime === undefined ? [] : [...frameworks, runtime];
  }

  /** The runtime layer this layer runs on (itself for a runtime). */
  get runtime(): Layer {
    return this.#runtime ?? this;
  }
}

const KIND_RANK: Record<LayerKind, number> = { runtime: 0, framework: 1, application: 2 };

export class LayerGraph {
  readonly #byName: ReadonlyMap<string, Layer>;
  /** Runtimes, then frameworks, then applications (each group in spec order). */
  readonly layers: readonly Layer[];

  private constructor(layers: Layer[]) {
    this.layers = layers;
    this.#byName = new Map(layers.map((layer) => [layer.layerName, layer]));
  }

  static fromSpec(source: LayerSource): LayerGraph {
    // Stable sort keeps spec order inside each kind; the spec guarantees that a framework
    // only builds on frameworks declared before it, so this order is topological.
    const specs = [...source.layers].sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind]);
    const bySpecName = { runtime: new Map<string, Layer>(), framework: new Map<string, Layer>() };
    const layers: Layer[] = [];
    for (const spec of specs) {
      const layer = buildLayer(spec, bySpecName);
      if (spec.kind !== "application") bySpecName[spec.kind].set(spec.name, layer);
      layers.push(layer);
    }
    return new LayerGraph(layers);
  }

  /** The layer with this layer name; a `UsageError` when there is none. */
  get(layerName: string): Layer {
    const layer = this.#byName.get(layerName);
    if (layer === undefined) {
      const known = this.layers.map((l) => l.layerName).join(", ");
      throw new UsageError(`unknown layer "${layerName}" (layers: ${known})`);
    }
    return layer;
  }

  has(layerName: string): boolean {
    return this.#byName.has(layerName);
  }

  /** Layers built on `layer`, directly or through other layers, in graph order. */
  dependentsOf(layer: Layer): Layer[] {
    return this.layers.filter((candidate) => candidate.lowerLayers.includes(layer));
  }

  /** Deployed directory name: the layer name, or `<layerName>@<lockVersion>` when versioned. */
  installTarget(layer: Layer, lockVersion?: number): string {
    return layer.spec.versioned ? `${layer.layerName}@${lockVersion ?? 1}` : layer.layerName;
  }
}

type LayersBySpecName = Record<"runtime" | "framework", Map<string, Layer>>;

function buildLayer(spec: LayerSpec, bySpecName: LayersBySpecName): Layer {
  if (spec.kind === "runtime") return new Layer(spec, undefined, []);
  const runtime = lookup(bySpecName.runtime, spec.runtime, spec);
  const frameworks = spec.frameworkOrder.map((name) => lookup(bySpecName.framework, name, spec));
  return new Layer(spec, runtime, frameworks);
}

function lookup(layers: Map<string, Layer>, specName: string, from: LayerSpec): Layer {
  const layer = layers.get(specName);
  // The validated spec rules this out; reaching it means the spec model was built wrongly.
  if (layer === undefined) {
    throw new Error(
      `layer ${from.layerName} refers to "${specName}", which is not defined before it`,
    );
  }
  return layer;
}
