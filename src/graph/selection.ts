/**
 * Which layers a command works on, and what it does to each (`--include`,
 * `--include-dependencies`, `--allow-missing`). The rules follow venvstacks:
 * - no `--include`: every layer gets the requested operations;
 * - included layers get them; the lower layers they need are used as they are
 *   (existing lock and build), or get the same operations with `--include-dependencies`;
 * - when locking, layers built on an included layer are relocked too ("derived"), since
 *   a relocked lower layer changes what they inherit;
 * - a pattern that matches no layer is a usage error unless `--allow-missing`.
 */
import picomatch from "picomatch";
import { UsageError } from "../errors.js";
import type { Layer, LayerGraph } from "./layers.js";

export type Operation = "lock" | "build" | "publish";

/** Pipeline order; selections always list operations in this order. */
export const OPERATIONS: readonly Operation[] = ["lock", "build", "publish"];

export type SelectionReason = "selected" | "dependency" | "derived" | "not selected";

export interface SelectionOptions {
  /** Glob patterns on layer names; absent or empty selects every layer. */
  include?: readonly string[];
  /** Give the lower layers of included layers the same operations. */
  includeDependencies?: boolean;
  /** Patterns matching no layer are reported in `unmatchedPatterns` instead of failing. */
  allowMissing?: boolean;
}

export interface LayerSelection {
  layer: Layer;
  reason: SelectionReason;
  /** Operations to run on this layer; empty when it is used as it is or not at all. */
  operations: Operation[];
}

export interface Selection {
  /** One entry per layer of the graph, in graph order. */
  layers: LayerSelection[];
  /** Include patterns that matched no layer (only with `allowMissing`). */
  unmatchedPatterns: string[];
}

export function selectLayers(
  graph: LayerGraph,
  options: SelectionOptions,
  operations: readonly Operation[],
): Selection {
  const requested = OPERATIONS.filter((op) => operations.includes(op));
  const patterns = options.include ?? [];
  if (patterns.length === 0) {
    const layers = graph.layers.map((layer) => entry(layer, "selected", requested));
    return { layers, unmatchedPatterns: [] };
  }

  const { matched, unmatched } = matchPatterns(graph, patterns);
  if (unmatched.length > 0 && !options.allowMissing) {
    throw new UsageError(
      `${describeUnmatched(unmatched)} (layers: ${graph.layers.map((l) => l.layerName).join(", ")}); ` +
        "pass --allow-missing to ignore patterns that match no layer",
    );
  }

  const dependencies = new Set<Layer>();
  const derived = new Set<Layer>();
  for (const layer of matched) {
    for (const lower of layer.lowerLayers) dependencies.add(lower);
    if (requested.includes("lock")) {
      for (const upper of graph.dependentsOf(layer)) derived.add(upper);
    }
  }

  const layers = graph.layers.map((layer): LayerSelection => {
    if (matched.has(layer)) return entry(layer, "selected", requested);
    const isDependency = dependencies.has(layer);
    if (isDependency && options.includeDependencies) return entry(layer, "dependency", requested);
    // A layer both below one included layer and above another must be relocked to stay
    // consistent with the relocked layer beneath it.
    if (derived.has(layer)) return entry(layer, "derived", ["lock"]);
    if (isDependency) return entry(layer, "dependency", []);
    return entry(layer, "not selected", []);
  });
  return { layers, unmatchedPatterns: unmatched };
}

function entry(layer: Layer, reason: SelectionReason, operations: readonly Operation[]) {
  return { layer, reason, operations: [...operations] };
}

function matchPatterns(graph: LayerGraph, patterns: readonly string[]) {
  const matched = new Set<Layer>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    if (pattern === "") throw new UsageError("--include needs a non-empty layer name pattern");
    const isMatch = picomatch(pattern, { dot: true });
    const hits = graph.layers.filter((layer) => isMatch(layer.layerName));
    if (hits.length === 0 && !unmatched.includes(pattern)) unmatched.push(pattern);
    for (const hit of hits) matched.add(hit);
  }
  return { matched, unmatched };
}

function describeUnmatched(patterns: readonly string[]): string {
  const quoted = patterns.map((p) => `"${p}"`).join(", ");
  return patterns.length === 1
    ? `no layer matches --include pattern ${quoted}`
    : `no layer matches --include patterns ${quoted}`;
}
