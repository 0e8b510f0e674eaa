/**
 * Lock state of a layer, as `status` reports it and as `lock --if-needed` uses it: valid,
 * stale (with a one-line reason) or missing. Cheap: reads and hashes the small lock files
 * of the layer and of the layers below it, never the registry.
 */
import { readFile } from "node:fs/promises";
import { type Layer, LayerGraph } from "../graph/layers.js";
import type { StackSpec } from "../spec/stack-spec.js";
import {
  lockInputHash,
  type OtherInputs,
  otherInputsHash,
  requirementsHash,
  stableJson,
  versionInputsHash,
} from "./hashes.js";
import { layerLockPaths, renderInputsManifest } from "./lock-files.js";
import { type LockMeta, parseLockMeta } from "./meta.js";

export type LockStatus = "valid" | "stale" | "missing";

export interface LockState {
  layerName: string;
  status: LockStatus;
  /** One line saying why the lock is stale or missing. */
  reason?: string;
  /** From the committed lock metadata, when present. */
  lockVersion?: number;
  lockedAt?: string;
}

/** The committed files of one layer's lock, as read from disk (absent ones undefined). */
export interface CommittedLock {
  manifest?: string;
  packageLock?: string;
  meta?: LockMeta;
  /** Why lock-meta.json exists but cannot be used. */
  metaError?: string;
}

export async function readCommittedLock(
  spec: StackSpec,
  layerName: string,
): Promise<CommittedLock> {
  const paths = layerLockPaths(spec.requirementsDir(layerName), layerName);
  const [manifest, packageLock, metaText] = await Promise.all(
    [paths.manifest, paths.packageLock, paths.meta].map((p) => readTextIfExists(p)),
  );
  const lock: CommittedLock = { manifest, packageLock };
  if (metaText !== undefined) {
    try {
      lock.meta = parseLockMeta(metaText);
    } catch (error) {
      lock.metaError = error instanceof Error ? error.message : String(error);
    }
  }
  return lock;
}

async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The inputs besides package.json that the layer's lock depends on now: the current spec
 * plus the committed metadata of each lower layer (resolution order).
 */
export function currentOtherInputs(
  spec: StackSpec,
  graph: LayerGraph,
  layer: Layer,
  lowerMetas: readonly LockMeta[],
): OtherInputs {
  const runtime = layer.runtime.spec;
  const inputs: OtherInputs = {
    lower_layers: layer.lowerLayers.map((lower, i) => {
      const meta = lowerMetas[i];
      if (meta === undefined) throw new Error(`no lock metadata given for ${lower.layerName}`);
      return {
        layer_name: lower.layerName,
        requirements_hash: meta.requirements_hash,
        install_target: graph.installTarget(lower, meta.lock_version),
      };
    }),
    platforms: [...layer.platforms].sort(),
    node_version: runtime.kind === "runtime" ? runtime.nodeVersion : "",
    exclude_newer: spec.settings.excludeNewer?.toISOString() ?? null,
  };
  if (layer.kind === "runtime") {
    inputs.runtime_source = spec.settings.runtimeSource;
    inputs.runtime_mirror = spec.settings.runtimeMirror ?? null;
  }
  return inputs;
}

/** Computes lock states, each layer once, lower layers first (their staleness propagates). */
export class LockStateReader {
  readonly #states = new Map<string, Promise<LockState>>();

  constructor(
    readonly spec: StackSpec,
    readonly graph: LayerGraph = LayerGraph.fromSpec(spec),
  ) {}

  state(layerName: string): Promise<LockState> {
    let state = this.#states.get(layerName);
    if (state === undefined) {
      state = this.#compute(this.graph.get(layerName));
      this.#states.set(layerName, state);
    }
    return state;
  }

  async #compute(layer: Layer): Promise<LockState> {
    const { layerName } = layer;
    const lock = await readCommittedLock(this.spec, layerName);
    if (lock.meta === undefined) {
      if (lock.metaError !== undefined)
        return { layerName, status: "stale", reason: lock.metaError };
      return { layerName, status: "missing", reason: "not locked" };
    }
    const meta = lock.meta;
    const found = { layerName, lockVersion: meta.lock_version, lockedAt: meta.locked_at };
    const stale = (reason: string): LockState => ({ ...found, status: "stale", reason });

    if (lock.manifest === undefined || lock.packageLock === undefined) {
      return stale("lock files missing beside lock-meta.json");
    }
    const expectedManifest = renderInputsManifest(layerName, layer.spec.requirements);
    if (lockInputHash(expectedManifest, meta.other_inputs_hash) !== meta.lock_input_hash) {
      return stale("requirements changed");
    }
    if (
      lock.manifest !== expectedManifest ||
      requirementsHash(lock.packageLock, meta.inherited) !== meta.requirements_hash
    ) {
      return stale("lockfile modified since it was locked");
    }

    const lowerMetas: LockMeta[] = [];
    for (const lower of layer.lowerLayers) {
      const lowerState = await this.state(lower.layerName);
      if (lowerState.status === "missing") {
        return stale(`lower layer ${lower.layerName} is not locked`);
      }
      if (lowerState.status === "stale") return stale(`lower layer ${lower.layerName} is stale`);
      const lowerMeta = (await readCommittedLock(this.spec, lower.layerName)).meta;
      if (lowerMeta === undefined) return stale(`lower layer ${lower.layerName} is not locked`);
      lowerMetas.push(lowerMeta);
    }
    const current = currentOtherInputs(this.spec, this.graph, layer, lowerMetas);
    const changed = describeChange(meta.other_inputs, current);
    if (changed !== undefined) return stale(changed);
    if (otherInputsHash(current) !== meta.other_inputs_hash) {
      return stale("lock metadata modified since it was locked");
    }
    const versionInputs = versionInputsHash({
      requirements_hash: meta.requirements_hash,
      lower_install_targets: current.lower_layers.map((l) => l.install_target),
      runtime_binaries: meta.runtime_binaries ?? [],
    });
    if (versionInputs !== meta.version_inputs_hash) {
      return stale("lock metadata modified since it was locked");
    }
    return { ...found, status: "valid" };
  }
}

/** The first difference between the recorded and the current inputs, as a reason line. */
function describeChange(recorded: OtherInputs, current: OtherInputs): string | undefined {
  const recordedNames = (recorded.lower_layers ?? []).map((l) => l.layer_name);
  const currentNames = current.lower_layers.map((l) => l.layer_name);
  if (stableJson(recordedNames) !== stableJson(currentNames)) return "lower layers changed";
  for (const [i, lower] of current.lower_layers.entries()) {
    if (stableJson(recorded.lower_layers[i]) !== stableJson(lower)) {
      return `lower layer ${lower.layer_name} was relocked`;
    }
  }
  if (stableJson(recorded.platforms) !== stableJson(current.platforms)) return "platforms changed";
  if (recorded.node_version !== current.node_version) return "Node.js version changed";
  if (recorded.exclude_newer !== current.exclude_newer) return "exclude_newer changed";
  if (
    recorded.runtime_source !== current.runtime_source ||
    (recorded.runtime_mirror ?? null) !== (current.runtime_mirror ?? null)
  ) {
    return "runtime source changed";
  }
  return undefined;
}

export function readLockState(spec: StackSpec, layerName: string): Promise<LockState> {
  return new LockStateReader(spec).state(layerName);
}
