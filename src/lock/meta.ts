/**
 * lock-meta.json: the lock's version, time and hashes, the inherited packages and, for
 * runtime layers, the Node binaries per platform. `lock_version` and `locked_at` carry over
 * from the previous meta unless what they describe changed.
 */
import {
  lockInputHash,
  type OtherInputs,
  otherInputsHash,
  requirementsHash,
  stableJson,
  versionInputsHash,
} from "./hashes.js";
import type { InheritedPackage, RuntimeBinary } from "./types.js";

export interface LockMeta {
  layer_name: string;
  /** Starts at 1; +1 each time `version_inputs_hash` changes. */
  lock_version: number;
  /** ISO-8601 UTC; moves only when the locked content changes. */
  locked_at: string;
  requirements_hash: string;
  lock_input_hash: string;
  other_inputs_hash: string;
  version_inputs_hash: string;
  /** The inputs behind `other_inputs_hash`, kept so a stale lock can say what changed. */
  other_inputs: OtherInputs;
  inherited: InheritedPackage[];
  /** Runtime layers only. */
  node_version?: string;
  runtime_binaries?: RuntimeBinary[];
}

export interface LockContent {
  layerName: string;
  /** Exact bytes of the layer's package.json and package-lock.json. */
  packageJson: string;
  packageLock: string;
  inherited: InheritedPackage[];
  otherInputs: OtherInputs;
  /** Install targets of the lower layers, in resolution order. */
  lowerInstallTargets: string[];
  runtime?: { nodeVersion: string; binaries: RuntimeBinary[] };
}

/** Sorted by name, version, layer: the order used in the meta and the hashes. */
export function sortInherited(inherited: InheritedPackage[]): InheritedPackage[] {
  const key = (p: InheritedPackage) => `${p.name}\0${p.version}\0${p.layer}`;
  return [...inherited].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function buildLockMeta(
  content: LockContent,
  previous: LockMeta | undefined,
  now: Date,
): LockMeta {
  const inherited = sortInherited(content.inherited);
  const requirements = requirementsHash(content.packageLock, inherited);
  const other = otherInputsHash(content.otherInputs);
  const binaries = content.runtime?.binaries ?? [];
  const versionInputs = versionInputsHash({
    requirements_hash: requirements,
    lower_install_targets: content.lowerInstallTargets,
    runtime_binaries: binaries,
  });
  const contentUnchanged =
    previous !== undefined &&
    previous.requirements_hash === requirements &&
    stableJson(previous.runtime_binaries ?? []) === stableJson(binaries);
  let lockVersion = 1;
  if (previous) {
    lockVersion =
      previous.version_inputs_hash === versionInputs
        ? previous.lock_version
        : previous.lock_version + 1;
  }
  return {
    layer_name: content.layerName,
    lock_version: lockVersion,
    locked_at: contentUnchanged ? previous.locked_at : now.toISOString(),
    requirements_hash: requirements,
    lock_input_hash: lockInputHash(content.packageJson, other),
    other_inputs_hash: other,
    version_inputs_hash: versionInputs,
    other_inputs: content.otherInputs,
    inherited,
    ...(content.runtime && {
      node_version: content.runtime.nodeVersion,
      runtime_binaries: content.runtime.binaries,
    }),
  };
}

export function renderLockMeta(meta: LockMeta): string {
  return stableJson(meta);
}

/** Parses lock-meta.json; throws an Error naming the first missing or malformed field. */
export function parseLockMeta(text: string): LockMeta {
  const meta = JSON.parse(text) as Partial<LockMeta>;
  const strings = [
    "layer_name",
    "locked_at",
    "requirements_hash",
    "lock_input_hash",
    "other_inputs_hash",
    "version_inputs_hash",
  ] as const;
  for (const field of strings) {
    if (typeof meta[field] !== "string") throw new Error(`lock metadata lacks ${field}`);
  }
  if (!Number.isInteger(meta.lock_version) || (meta.lock_version ?? 0) < 1) {
    throw new Error("lock metadata lacks a positive integer lock_version");
  }
  if (!Array.isArray(meta.inherited)) throw new Error("lock metadata lacks inherited");
  if (typeof meta.other_inputs !== "object" || meta.other_inputs === null) {
    throw new Error("lock metadata lacks other_inputs");
  }
  return meta as LockMeta;
}
