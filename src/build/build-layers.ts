/**
 * `build`: lock if needed, then build each selected layer into `<buildDir>/<installTarget>`.
 * Layers whose stamp matches their current inputs are left alone; the others are rebuilt in
 * dependency order, independent ones in parallel, each assembled in a temp dir and renamed
 * into place, so the final name never holds a half-built layer.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { EnvstacksError } from "../errors.js";
import { BUILD_DIR_LOCK, withDirLock } from "../fs/dir-lock.js";
import type { Layer, LayerGraph } from "../graph/layers.js";
import type { Selection } from "../graph/selection.js";
import { parsePackageLock } from "../lock/lock-files.js";
import type { LockMeta } from "../lock/meta.js";
import { loadNpmOptions, type NpmOptions } from "../lock/npm-config.js";
import { LockStateReader, readCommittedLock } from "../lock/state.js";
import type { LockedPackage, RuntimeBinary } from "../lock/types.js";
import type { StackSpec } from "../spec/stack-spec.js";
import type { TargetPlatform } from "../spec/types.js";
import { removeOtherTargets, replaceDirAtomically } from "./layer-dirs.js";
import { hostPlatform } from "./platform.js";
import { DEFAULT_CONCURRENCY, runScheduled } from "./schedule.js";
import {
  type BuildStamp,
  describeStampChange,
  hashAppModules,
  makeStamp,
  readStamp,
  writeStamp,
} from "./stamps.js";
import { envstacksVersion } from "./version.js";

/** What `buildLayers` works on: a `BuildEnvironment` satisfies it. */
export interface BuildTarget {
  readonly spec: StackSpec;
  readonly graph: LayerGraph;
  readonly buildDir: string;
}

/** Everything needed to fill one layer directory. */
export interface LayerJob {
  layer: Layer;
  graph: LayerGraph;
  installTarget: string;
  platform: TargetPlatform;
  /** The layer's own packages, from its lock. */
  packages: LockedPackage[];
  /** Runtime layers: the Node binary for `platform`. */
  runtimeBinary?: RuntimeBinary;
  /** Directory name of any layer of the graph, as this build sees it. */
  installTargetOf(layer: Layer): string;
  /** The runtime layer's directory once built (the layer's own temp dir for a runtime). */
  runtimeDir: string;
  /** True when `platform` is the host's, so the runtime's node can run install scripts. */
  runsOnHost: boolean;
  offline: boolean;
  /** Registry access, loaded once on first use. */
  npm(): Promise<NpmOptions>;
  log?: ((line: string) => void) | undefined;
}

/** Fills `layerDir` (an empty temp dir) with a complete layer. */
export type LayerInstaller = (layerDir: string, job: LayerJob) => Promise<void>;

export interface BuildOptions {
  /** Build from the download cache alone; a layer without a valid lock is an error. */
  offline?: boolean;
  /** Target platform; default: the host's. */
  platform?: TargetPlatform;
  /** Progress, one line per event. */
  log?: (line: string) => void;
  /** Layers built at the same time (default 2). */
  concurrency?: number;
  /** Registry access; default: the npm configuration that applies in the spec's directory. */
  npm?: NpmOptions;
  /** What fills a layer directory; default: the installers of `src/install/`. */
  installLayer?: LayerInstaller;
}

export type BuildAction = "built" | "up to date" | "skipped";

export interface LayerBuildResult {
  layerName: string;
  installTarget: string;
  action: BuildAction;
  /** Why it was built (what changed) or skipped. */
  reason?: string;
}

/** One layer as this build sees it, decided before anything is built. */
type LayerPlan =
  | { state: "skipped"; layer: Layer; installTarget: string; reason: string }
  /** A lower layer used as it is: not selected for build. */
  | { state: "existing"; layer: Layer; installTarget: string; stamp: BuildStamp | undefined }
  | SelectedPlan;

/** A layer selected for build that can be built for the platform. */
interface SelectedPlan {
  state: "up to date" | "build";
  layer: Layer;
  installTarget: string;
  /** The stamp its current inputs give. */
  stamp: BuildStamp;
  /** What changed since the recorded stamp (state "build"). */
  reason?: string;
  packages: LockedPackage[];
  runtimeBinary?: RuntimeBinary;
}

export async function buildLayers(
  target: BuildTarget,
  selection: Selection,
  options: BuildOptions = {},
): Promise<LayerBuildResult[]> {
  const toBuild = new Set(
    selection.layers.filter((s) => s.operations.includes("build")).map((s) => s.layer),
  );
  if (toBuild.size === 0) return [];
  const platform = options.platform ?? hostPlatform();
  const offline = options.offline ?? false;
  let npm: Promise<NpmOptions> | undefined =
    options.npm === undefined ? undefined : Promise.resolve(options.npm);
  const loadNpm = () => {
    npm ??= loadNpmOptions(target.spec.specDir);
    return npm;
  };

  // The build dir is this run's alone: a second build of it waits until this one ends.
  return withDirLock(
    path.join(target.buildDir, BUILD_DIR_LOCK),
    `build of ${target.spec.specPath}`,
    async () => {
      await lockIfNeeded(target, selection, toBuild, offline, options.log, loadNpm);
      const plans = await planLayers(target, toBuild, platform);
      await buildPlanned(target, plans, { ...options, platform, offline }, loadNpm);
      return buildResults(plans, toBuild);
    },
    { log: options.log },
  );
}

/** Builds the layers planned for build, lower layers first. */
async function buildPlanned(
  target: BuildTarget,
  plans: ReadonlyMap<Layer, LayerPlan>,
  options: BuildOptions & { platform: TargetPlatform; offline: boolean },
  loadNpm: () => Promise<NpmOptions>,
): Promise<void> {
  const { platform, offline } = options;

  const installTargetOf = (layer: Layer): string => {
    const plan = plans.get(layer);
    if (plan === undefined) throw new Error(`${layer.layerName} is not part of this build`);
    return plan.installTarget;
  };
  const runsOnHost = platform === safeHostPlatform();
  const toRun = [...plans.values()].filter((plan) => plan.state === "build");
  // The installers pull in pacote, cacache and friends: a no-op build never loads them.
  const install =
    toRun.length === 0
      ? undefined
      : (options.installLayer ?? (await import("./install-layer.js")).installLayer);

  const tasks = toRun.flatMap((plan) => {
    if (plan.state !== "build" || install === undefined) return [];
    return [
      {
        key: plan.layer,
        dependsOn: plan.layer.lowerLayers,
        run: async () => {
          options.log?.(`${plan.layer.layerName}: building ${plan.installTarget} (${plan.reason})`);
          await buildOneLayer(target.buildDir, plan, (layerDir) =>
            install(layerDir, {
              layer: plan.layer,
              graph: target.graph,
              installTarget: plan.installTarget,
              platform,
              packages: plan.packages,
              ...(plan.runtimeBinary && { runtimeBinary: plan.runtimeBinary }),
              installTargetOf,
              runtimeDir:
                plan.layer.kind === "runtime"
                  ? layerDir
                  : path.join(target.buildDir, installTargetOf(plan.layer.runtime)),
              runsOnHost,
              offline,
              npm: loadNpm,
              log: options.log,
            }),
          );
          options.log?.(`${plan.layer.layerName}: built ${plan.installTarget}`);
        },
      },
    ];
  });
  await runScheduled(tasks, options.concurrency ?? DEFAULT_CONCURRENCY);
}

function buildResults(
  plans: ReadonlyMap<Layer, LayerPlan>,
  toBuild: ReadonlySet<Layer>,
): LayerBuildResult[] {
  return [...plans.values()].flatMap((plan): LayerBuildResult[] => {
    if (!toBuild.has(plan.layer)) return [];
    const { layerName } = plan.layer;
    const { installTarget } = plan;
    switch (plan.state) {
      case "skipped":
        return [{ layerName, installTarget, action: "skipped", reason: plan.reason }];
      case "up to date":
        return [{ layerName, installTarget, action: "up to date" }];
      case "build":
        return [{ layerName, installTarget, action: "built", reason: plan.reason ?? "" }];
      default:
        return [];
    }
  });
}

/**
 * Locks the selected layers whose lock is missing or stale. Offline, nothing can be locked:
 * a layer to build without a valid lock is an error naming it.
 */
async function lockIfNeeded(
  target: BuildTarget,
  selection: Selection,
  toBuild: ReadonlySet<Layer>,
  offline: boolean,
  log: ((line: string) => void) | undefined,
  loadNpm: () => Promise<NpmOptions>,
): Promise<void> {
  const reader = new LockStateReader(target.spec, target.graph);
  const toLock = selection.layers.filter((s) => s.operations.includes("lock"));
  const states = await Promise.all(toLock.map((s) => reader.state(s.layer.layerName)));
  const invalid = states.filter((state) => state.status !== "valid");
  if (invalid.length === 0) return;
  if (offline) {
    const blocking = invalid.find((state) => toBuild.has(target.graph.get(state.layerName)));
    if (blocking === undefined) return;
    throw new EnvstacksError(
      `${blocking.layerName}: cannot build offline: its lock is ${blocking.status} (${blocking.reason}); ` +
        "run envstacks lock first",
    );
  }
  // Loaded only when something must be locked: the resolver (Arborist) is slow to import,
  // and a build with valid locks never needs it.
  const { lockLayers } = await import("../lock/lock-layers.js");
  await lockLayers(target, selection, {
    ifNeeded: true,
    npm: await loadNpm(),
    ...(log && { log }),
  });
}

/** Decides, in graph order, what happens to each layer the build touches. */
async function planLayers(
  target: BuildTarget,
  toBuild: ReadonlySet<Layer>,
  platform: TargetPlatform,
): Promise<Map<Layer, LayerPlan>> {
  const needed = new Set<Layer>();
  for (const layer of toBuild) {
    needed.add(layer);
    for (const lower of layer.lowerLayers) needed.add(lower);
  }
  const version = envstacksVersion();
  const plans = new Map<Layer, LayerPlan>();
  for (const layer of target.graph.layers) {
    if (!needed.has(layer)) continue;
    const plan = toBuild.has(layer)
      ? await planLayer(target, layer, platform, version, plans)
      : await existingLayer(target, layer, platform);
    plans.set(layer, plan);
  }
  return plans;
}

/** A lower layer that is not selected for build: used as the build dir holds it. */
async function existingLayer(
  target: BuildTarget,
  layer: Layer,
  platform: TargetPlatform,
): Promise<LayerPlan> {
  const stamp = await readStamp(target.buildDir, layer.layerName);
  const installTarget =
    stamp?.inputs.install_target ?? target.graph.installTarget(layer, undefined);
  if (!layer.platforms.includes(platform)) {
    return { state: "skipped", layer, installTarget, reason: notForPlatform(layer, platform) };
  }
  const usable =
    stamp !== undefined &&
    stamp.inputs.platform === platform &&
    (await isDirectory(path.join(target.buildDir, installTarget)));
  return { state: "existing", layer, installTarget, stamp: usable ? stamp : undefined };
}

async function planLayer(
  target: BuildTarget,
  layer: Layer,
  platform: TargetPlatform,
  version: string,
  lowerPlans: ReadonlyMap<Layer, LayerPlan>,
): Promise<LayerPlan> {
  const { spec, graph, buildDir } = target;
  const lock = await readCommittedLock(spec, layer.layerName);
  const meta = lock.meta;
  if (meta === undefined || lock.packageLock === undefined) {
    throw new EnvstacksError(`${layer.layerName}: cannot build: it is not locked`);
  }
  const installTarget = graph.installTarget(layer, meta.lock_version);
  const skip = (reason: string): LayerPlan => ({ state: "skipped", layer, installTarget, reason });
  if (!layer.platforms.includes(platform)) return skip(notForPlatform(layer, platform));

  const lowerLayers: { layer_name: string; install_target: string; digest: string }[] = [];
  for (const lower of layer.lowerLayers) {
    const plan = lowerPlans.get(lower);
    if (plan === undefined) throw new Error(`${lower.layerName} was not planned before its users`);
    if (plan.state === "skipped") return skip(`lower layer ${lower.layerName} is skipped`);
    if (plan.stamp === undefined) {
      throw new EnvstacksError(
        `${layer.layerName} needs ${lower.layerName}, which is not built for ${platform} in ` +
          `${buildDir}; select it too or pass --include-dependencies`,
      );
    }
    lowerLayers.push({
      layer_name: lower.layerName,
      install_target: plan.installTarget,
      digest: plan.stamp.digest,
    });
  }

  const runtimeBinary = runtimeBinaryFor(layer, meta, platform);
  if (layer.kind === "runtime" && runtimeBinary === undefined) {
    return skip(`Node.js ${meta.node_version ?? ""} is not available for ${platform}`);
  }
  const stamp = makeStamp({
    envstacks_version: version,
    platform,
    layer_name: layer.layerName,
    install_target: installTarget,
    requirements_hash: meta.requirements_hash,
    lock_version: meta.lock_version,
    runtime_binary: runtimeBinary
      ? { artifact: runtimeBinary.artifact, integrity: runtimeBinary.integrity }
      : null,
    app_modules: layer.spec.kind === "application" ? await hashAppModules(layer.spec) : {},
    allow_scripts: [...layer.spec.allowScripts].sort(),
    lower_layers: lowerLayers,
  });
  const previous = await readStamp(buildDir, layer.layerName);
  let reason = describeStampChange(previous?.inputs, stamp.inputs);
  if (reason === undefined && !(await isDirectory(path.join(buildDir, installTarget)))) {
    reason = "build directory missing";
  }
  return {
    state: reason === undefined ? "up to date" : "build",
    layer,
    installTarget,
    stamp,
    ...(reason !== undefined && { reason }),
    packages: parsePackageLock(lock.packageLock),
    ...(runtimeBinary && { runtimeBinary }),
  };
}

/**
 * Builds one layer in a temp dir, swaps it in, removes its older install targets and only
 * then records its stamp: a failure anywhere leaves the layer to be rebuilt next time.
 */
async function buildOneLayer(
  buildDir: string,
  plan: SelectedPlan,
  fill: (layerDir: string) => Promise<void>,
): Promise<void> {
  await replaceDirAtomically(buildDir, plan.installTarget, fill);
  await removeOtherTargets(buildDir, plan.layer.layerName, plan.installTarget);
  await writeStamp(buildDir, plan.stamp);
}

function runtimeBinaryFor(
  layer: Layer,
  meta: LockMeta,
  platform: TargetPlatform,
): RuntimeBinary | undefined {
  if (layer.kind !== "runtime") return undefined;
  return meta.runtime_binaries?.find((binary) => binary.platform === platform);
}

function notForPlatform(layer: Layer, platform: TargetPlatform): string {
  return `not built for ${platform} (platforms: ${layer.platforms.join(", ")})`;
}

function safeHostPlatform(): TargetPlatform | undefined {
  try {
    return hostPlatform();
  } catch {
    return undefined;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}
