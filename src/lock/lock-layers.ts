/**
 * `lock`: resolves the selected layers bottom-up and writes their lock files. A layer is
 * resolved on top of what its lower layers' committed locks provide, with its own existing
 * lock as the starting point, so unchanged inputs give byte-identical files (none rewritten).
 */
import path from "node:path";
import { EnvstacksError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { REQUIREMENTS_LOCK, withDirLock } from "../fs/dir-lock.js";
import type { Layer, LayerGraph } from "../graph/layers.js";
import type { Selection } from "../graph/selection.js";
import type { StackSpec } from "../spec/stack-spec.js";
import {
  layerLockPaths,
  parsePackageLock,
  renderInputsManifest,
  renderPackageLock,
  renderPackagesList,
} from "./lock-files.js";
import { buildLockMeta, type LockMeta, renderLockMeta } from "./meta.js";
import { loadNpmOptions, type NpmOptions } from "./npm-config.js";
import { type LowerLayerLock, providedPackages } from "./provided.js";
import { resolveLayer } from "./resolve.js";
import { lockRuntimeBinaries } from "./runtime-binaries.js";
import {
  type CommittedLock,
  currentOtherInputs,
  LockStateReader,
  readCommittedLock,
} from "./state.js";
import type { ResolvedLayer, RuntimeBinary } from "./types.js";

/** What `lockLayers` works on: a `BuildEnvironment` satisfies it. */
export interface LockTarget {
  readonly spec: StackSpec;
  readonly graph: LayerGraph;
}

export interface LockOptions {
  /** Resolve from scratch instead of starting from the existing lock. */
  resetLock?: boolean;
  /** Leave layers whose lock is valid alone. */
  ifNeeded?: boolean;
  /** Registry access; default: the npm configuration that applies in the spec's directory. */
  npm?: NpmOptions;
  /** One line per layer as it is handled. */
  log?: (line: string) => void;
}

export type LockAction = "locked" | "unchanged" | "skipped";

export interface LayerLockResult {
  layerName: string;
  /** `locked`: files were written; `unchanged`: relocked to identical files; `skipped`: valid and `ifNeeded`. */
  action: LockAction;
  lockVersion: number;
  installTarget: string;
}

export async function lockLayers(
  target: LockTarget,
  selection: Selection,
  options: LockOptions = {},
): Promise<LayerLockResult[]> {
  const { spec, graph } = target;
  const toLock = selection.layers.filter((s) => s.operations.includes("lock")).map((s) => s.layer);
  await checkUnselectedLowerLayers(spec, graph, toLock);
  if (toLock.length === 0) return [];
  const npm = options.npm ?? (await loadNpmOptions(spec.specDir));

  // One run at a time writes the spec's lock files: a second one waits, then reads them.
  return withDirLock(
    path.join(spec.specDir, REQUIREMENTS_LOCK),
    `lock of ${spec.specPath}`,
    async () => {
      const results: LayerLockResult[] = [];
      // selection.layers is in graph order: lower layers are locked before the layers above them.
      for (const layer of toLock) {
        const result = await lockLayer(spec, graph, layer, npm, options);
        options.log?.(
          `${layer.layerName}: ${result.action} (${result.installTarget}, lock_version ${result.lockVersion})`,
        );
        results.push(result);
      }
      return results;
    },
    { log: options.log },
  );
}

/** Lower layers that are not being locked must already have a valid lock. */
async function checkUnselectedLowerLayers(
  spec: StackSpec,
  graph: LayerGraph,
  toLock: readonly Layer[],
): Promise<void> {
  const locking = new Set(toLock);
  const reader = new LockStateReader(spec, graph);
  for (const layer of toLock) {
    for (const lower of layer.lowerLayers) {
      if (locking.has(lower)) continue;
      const state = await reader.state(lower.layerName);
      if (state.status === "valid") continue;
      const problem =
        state.status === "missing" ? "is not locked" : `has a stale lock (${state.reason})`;
      throw new EnvstacksError(
        `${layer.layerName} needs ${lower.layerName}, which ${problem} and is not selected; ` +
          `select it too or pass --include-dependencies`,
      );
    }
  }
}

async function lockLayer(
  spec: StackSpec,
  graph: LayerGraph,
  layer: Layer,
  npm: NpmOptions,
  options: LockOptions,
): Promise<LayerLockResult> {
  const existing = await readCommittedLock(spec, layer.layerName);
  const previousMeta = existing.meta;
  if (options.ifNeeded && previousMeta) {
    const state = await new LockStateReader(spec, graph).state(layer.layerName);
    if (state.status === "valid") {
      return {
        layerName: layer.layerName,
        action: "skipped",
        lockVersion: previousMeta.lock_version,
        installTarget: graph.installTarget(layer, previousMeta.lock_version),
      };
    }
  }

  const { lowerMetas, lowerLocks } = await readLowerLocks(spec, layer);
  const resolved = await resolveLayer({
    layerName: layer.layerName,
    requirements: layer.spec.requirements,
    provided: providedPackages(lowerLocks),
    ...(!options.resetLock &&
      previousStillAllowed(spec, previousMeta) && { previous: previousResolution(existing) }),
    ...(spec.settings.excludeNewer && { before: spec.settings.excludeNewer }),
    npm,
  });
  const binaries =
    layer.spec.kind === "runtime"
      ? await lockRuntimeBinaries(layer.spec, {
          source: spec.settings.runtimeSource,
          ...(spec.settings.runtimeMirror && { mirror: spec.settings.runtimeMirror }),
          npm: { ...npm.fetchOptions, cache: npm.cache },
        })
      : undefined;

  const { meta, written } = await writeLayerLock(spec, graph, layer, {
    resolved,
    lowerMetas,
    binaries,
    previousMeta,
    now: new Date(),
  });
  return {
    layerName: layer.layerName,
    action: written ? "locked" : "unchanged",
    lockVersion: meta.lock_version,
    installTarget: graph.installTarget(layer, meta.lock_version),
  };
}

/** The committed locks of a layer's lower layers, in resolution order. */
async function readLowerLocks(
  spec: StackSpec,
  layer: Layer,
): Promise<{ lowerMetas: LockMeta[]; lowerLocks: LowerLayerLock[] }> {
  const lowerMetas: LockMeta[] = [];
  const lowerLocks: LowerLayerLock[] = [];
  for (const lower of layer.lowerLayers) {
    const lock = await readCommittedLock(spec, lower.layerName);
    if (lock.meta === undefined || lock.packageLock === undefined) {
      throw new EnvstacksError(`${layer.layerName} needs ${lower.layerName}, which is not locked`);
    }
    lowerMetas.push(lock.meta);
    lowerLocks.push({
      layerName: lower.layerName,
      requirements: lower.spec.requirements,
      own: parsePackageLock(lock.packageLock),
    });
  }
  return { lowerMetas, lowerLocks };
}

/**
 * Earlier choices stay preferences unless exclude_newer moved earlier (or appeared):
 * then they could be versions published after the new cutoff.
 */
function previousStillAllowed(spec: StackSpec, meta: LockMeta | undefined): boolean {
  const cutoff = spec.settings.excludeNewer;
  if (cutoff === undefined) return true;
  const recorded = meta?.other_inputs.exclude_newer;
  return typeof recorded === "string" && cutoff.getTime() >= Date.parse(recorded);
}

function previousResolution(existing: CommittedLock): ResolvedLayer | undefined {
  if (existing.packageLock === undefined) return undefined;
  try {
    return {
      own: parsePackageLock(existing.packageLock),
      inherited: existing.meta?.inherited ?? [],
    };
  } catch {
    // An unreadable earlier lock is simply not a starting point.
    return undefined;
  }
}

export interface LayerLockContent {
  resolved: ResolvedLayer;
  /** Committed metadata of the layer's lower layers, in resolution order. */
  lowerMetas: readonly LockMeta[];
  /** Runtime layers: the Node binary per platform. */
  binaries?: RuntimeBinary[] | undefined;
  /** The layer's current metadata: lock_version and locked_at carry over from it. */
  previousMeta?: LockMeta | undefined;
  now: Date;
}

/**
 * Writes the four lock files of a layer, each atomically and only when its bytes change;
 * lock-meta.json goes last, so an interrupted write reads as a stale lock, never a valid one.
 */
export async function writeLayerLock(
  spec: StackSpec,
  graph: LayerGraph,
  layer: Layer,
  content: LayerLockContent,
): Promise<{ meta: LockMeta; written: boolean }> {
  const { layerName, requirements } = layer.spec;
  const { own, inherited } = content.resolved;
  const packageJson = renderInputsManifest(layerName, requirements);
  const packageLock = renderPackageLock(layerName, requirements, own);
  const otherInputs = currentOtherInputs(spec, graph, layer, content.lowerMetas);
  const runtime = layer.spec.kind === "runtime" ? layer.spec : undefined;
  const meta = buildLockMeta(
    {
      layerName,
      packageJson,
      packageLock,
      inherited,
      otherInputs,
      lowerInstallTargets: otherInputs.lower_layers.map((l) => l.install_target),
      ...(runtime && {
        runtime: { nodeVersion: runtime.nodeVersion, binaries: content.binaries ?? [] },
      }),
    },
    content.previousMeta,
    content.now,
  );
  const paths = layerLockPaths(spec.requirementsDir(layerName), layerName);
  const writes = [
    await writeFileAtomic(paths.manifest, packageJson),
    await writeFileAtomic(paths.packageLock, packageLock),
    await writeFileAtomic(paths.packagesList, renderPackagesList(own, meta.inherited)),
    await writeFileAtomic(paths.meta, renderLockMeta(meta)),
  ];
  return { meta, written: writes.some(Boolean) };
}
