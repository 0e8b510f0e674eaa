/**
 * Published metadata: `__envstacks__/env_metadata/<layer>.json` per layer and
 * `__envstacks__/envstacks.json` listing every published layer by kind. Keys sorted,
 * 2-space indent, trailing newline; nothing but names, hashes, sizes and `locked_at`, so two
 * publishes of one lock give the same bytes wherever and whenever they run.
 */
import path from "node:path";
import { stableJson } from "../lock/hashes.js";
import type { LayerKind, TargetPlatform } from "../spec/types.js";

/** Folder of OUTPUT_DIR holding the metadata. */
export const METADATA_DIR_NAME = "__envstacks__";
export const LAYER_METADATA_DIR_NAME = "env_metadata";
export const STACK_METADATA_FILE_NAME = "envstacks.json";

export interface AppModuleMetadata {
  name: string;
  /** `sha256:<hex>` of the module's content. */
  hash: string;
}

export interface LayerMetadata {
  layer_name: string;
  install_target: string;
  archive_name: string;
  /** `tar`, `tar.gz`, `tar.xz` or `zip`. */
  archive_format: string;
  archive_size: number;
  archive_hashes: { sha256: string };
  /** 1 for a new lock version; +1 each time the archive changes under the same lock version. */
  archive_build: number;
  lock_version: number;
  locked_at: string;
  requirements_hash: string;
  /** The Node.js of the layer's runtime, `node@22.14.0`. */
  node_implementation: string;
  /** Install target of the layer's runtime (its own for a runtime). */
  runtime_layer: string;
  /** Install targets of the lower layers, in resolution order. */
  required_layers: string[];
  target_platform: TargetPlatform;
  /** Applications only. */
  app_launch_module?: string;
  app_launch_module_hash?: string;
  app_support_modules?: AppModuleMetadata[];
}

export interface StackMetadata {
  layers: { runtimes: LayerMetadata[]; frameworks: LayerMetadata[]; applications: LayerMetadata[] };
}

export function layerMetadataPath(outputDir: string, layerName: string): string {
  return path.join(outputDir, METADATA_DIR_NAME, LAYER_METADATA_DIR_NAME, `${layerName}.json`);
}

export function stackMetadataPath(outputDir: string): string {
  return path.join(outputDir, METADATA_DIR_NAME, STACK_METADATA_FILE_NAME);
}

export function renderMetadata(metadata: LayerMetadata | StackMetadata): string {
  return stableJson(metadata);
}

/** Groups layers by kind, each group in the order given (graph order). */
export function stackMetadata(
  layers: readonly { kind: LayerKind; metadata: LayerMetadata }[],
): StackMetadata {
  const of = (kind: LayerKind) => layers.filter((l) => l.kind === kind).map((l) => l.metadata);
  return {
    layers: {
      runtimes: of("runtime"),
      frameworks: of("framework"),
      applications: of("application"),
    },
  };
}

/**
 * Parses a layer's metadata file; undefined when it is not metadata this version can use
 * (a damaged or hand-edited file is then treated like a missing one and rewritten).
 */
export function parseLayerMetadata(text: string): LayerMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Partial<LayerMetadata>;
  const strings = [m.layer_name, m.install_target, m.archive_name, m.archive_format, m.locked_at];
  if (strings.some((s) => typeof s !== "string")) return undefined;
  const counts = [m.archive_size, m.archive_build, m.lock_version];
  if (counts.some((n) => !Number.isInteger(n))) return undefined;
  if (typeof m.archive_hashes?.sha256 !== "string") return undefined;
  return m as LayerMetadata;
}
