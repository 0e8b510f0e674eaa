/**
 * The hashes recorded in lock-meta.json. Each one is `sha256:<hex>` over a fixed, documented
 * byte sequence so that any tool can recompute it from the committed files.
 */
import { createHash } from "node:crypto";
import type { InheritedPackage, RuntimeBinary } from "./types.js";

/** Deterministic JSON: object keys sorted (recursively), 2-space indent, trailing newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** `sha256:<hex>` of the concatenated parts. */
export function sha256Of(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return `sha256:${hash.digest("hex")}`;
}

/** A lower layer as an upper layer's lock records it (resolution order matters). */
export interface LowerLayerInput {
  layer_name: string;
  requirements_hash: string;
  install_target: string;
}

/**
 * Everything besides the layer's own package.json that changes its resolution. Stored
 * verbatim in lock-meta.json (`other_inputs`) so a stale lock can say what changed.
 */
export interface OtherInputs {
  lower_layers: LowerLayerInput[];
  platforms: string[];
  node_version: string;
  exclude_newer: string | null;
  /** Runtime layers only: where the Node binaries come from. */
  runtime_source?: string;
  runtime_mirror?: string | null;
}

/** The locked content: package-lock.json bytes, then the inherited list as stable JSON. */
export function requirementsHash(packageLock: string, inherited: InheritedPackage[]): string {
  return sha256Of(packageLock, stableJson(inherited));
}

export function otherInputsHash(inputs: OtherInputs): string {
  return sha256Of(stableJson(inputs));
}

/** The declared inputs: the package.json bytes, then `other_inputs_hash`. */
export function lockInputHash(packageJson: string, otherHash: string): string {
  return sha256Of(packageJson, otherHash);
}

/** What defines a layer's content; `lock_version` moves only when this changes. */
export interface VersionInputs {
  requirements_hash: string;
  lower_install_targets: string[];
  runtime_binaries: RuntimeBinary[];
}

export function versionInputsHash(inputs: VersionInputs): string {
  return sha256Of(stableJson(inputs));
}
