/**
 * One stack spec paired with one build directory: the entry point for status and for
 * the lock / build / publish stages, which act on the layers a selection picks.
 */
import path from "node:path";
import type { BuildOptions, LayerBuildResult } from "../build/build-layers.js";
import type { LayerExportResult } from "../export/local-export.js";
import type { Layer } from "../graph/layers.js";
import { LayerGraph } from "../graph/layers.js";
import {
  OPERATIONS,
  type Operation,
  type Selection,
  type SelectionOptions,
  type SelectionReason,
  selectLayers,
} from "../graph/selection.js";
import type { LayerLockResult, LockOptions } from "../lock/lock-layers.js";
import { type LockState, readLockState } from "../lock/state.js";
import type { PublishOptions, PublishReport } from "../publish/publish-layers.js";
// Type-only: StackSpec creates BuildEnvironment, so a value import would be a cycle.
import type { StackSpec } from "../spec/stack-spec.js";
import type { LayerKind } from "../spec/types.js";

/** Build directory used when none is given, beside the spec file. */
export const DEFAULT_BUILD_DIR_NAME = "_build";

export interface LayerStatus {
  layerName: string;
  kind: LayerKind;
  /** Deployed directory name; carries the committed lock version for a versioned layer. */
  installTarget: string;
  lock: Omit<LockState, "layerName">;
  selection: SelectionReason;
  /** Operations a command with these selection options would run on this layer. */
  operations: Operation[];
}

export interface StackStatus {
  /** The spec file as the user named it. */
  spec: string;
  buildDir: string;
  /** Graph order: runtimes, frameworks, applications. */
  layers: LayerStatus[];
  /** `--include` patterns that matched no layer (only with `allowMissing`). */
  unmatchedPatterns: string[];
}

export class BuildEnvironment {
  readonly spec: StackSpec;
  /** Absolute path of the directory holding one environment per layer. */
  readonly buildDir: string;
  readonly graph: LayerGraph;

  /** `buildDir` defaults to `<specDir>/_build`; a relative one is resolved against the cwd. */
  constructor(spec: StackSpec, buildDir?: string) {
    this.spec = spec;
    this.buildDir =
      buildDir === undefined
        ? path.join(spec.specDir, DEFAULT_BUILD_DIR_NAME)
        : path.resolve(buildDir);
    this.graph = LayerGraph.fromSpec(spec);
  }

  /** Which layers `operations` apply to under these `--include` options. */
  select(options: SelectionOptions, operations: readonly Operation[]): Selection {
    return selectLayers(this.graph, options, operations);
  }

  /**
   * Per layer: install target, lock state and the operations that `operations` (by
   * default the full pipeline: lock, build, publish) would run on it with these options.
   */
  async getStackStatus(
    selectionOptions: SelectionOptions = {},
    operations: readonly Operation[] = OPERATIONS,
  ): Promise<StackStatus> {
    const selection = this.select(selectionOptions, operations);
    const layers = await Promise.all(
      selection.layers.map(async ({ layer, reason, operations }) =>
        this.#layerStatus(layer, reason, operations),
      ),
    );
    return {
      spec: this.spec.displayPath,
      buildDir: this.buildDir,
      layers,
      unmatchedPatterns: selection.unmatchedPatterns,
    };
  }

  /**
   * Locks the layers selected for `lock`, bottom-up. Unselected lower layers they need
   * must already have valid locks.
   */
  async lock(
    selectionOptions: SelectionOptions = {},
    options: LockOptions = {},
  ): Promise<LayerLockResult[]> {
    const { lockLayers } = await import("../lock/lock-layers.js");
    return lockLayers(this, this.select(selectionOptions, ["lock"]), options);
  }

  /**
   * Locks the selected layers whose lock is missing or stale (not with `offline`), then
   * builds those whose build is not up to date into the build directory.
   */
  async build(
    selectionOptions: SelectionOptions = {},
    options: BuildOptions = {},
  ): Promise<LayerBuildResult[]> {
    const { buildLayers } = await import("../build/build-layers.js");
    return buildLayers(this, this.select(selectionOptions, ["lock", "build"]), options);
  }

  /** Builds the selected layers if needed and copies them to `<outputDir>/<installTarget>`. */
  async localExport(
    selectionOptions: SelectionOptions,
    outputDir: string,
    options: BuildOptions = {},
  ): Promise<LayerExportResult[]> {
    const { localExport } = await import("../export/local-export.js");
    return localExport(
      this,
      this.select(selectionOptions, ["lock", "build", "publish"]),
      outputDir,
      options,
    );
  }

  /**
   * Publishes the selected layers into `outputDir`: archives, their metadata and
   * `envstacks.json`, building layers first where needed. With `lock` (what
   * `build --publish` does) missing or stale locks are locked first; without it they are
   * an error naming the layer. `dryRun` returns the plan and writes nothing.
   */
  async publish(
    selectionOptions: SelectionOptions,
    outputDir: string,
    options: PublishOptions & { lock?: boolean } = {},
  ): Promise<PublishReport> {
    const { publishLayers } = await import("../publish/publish-layers.js");
    const { lock = false, ...publishOptions } = options;
    const operations: Operation[] = lock ? ["lock", "build", "publish"] : ["build", "publish"];
    return publishLayers(
      this,
      this.select(selectionOptions, operations),
      outputDir,
      publishOptions,
    );
  }

  async #layerStatus(
    layer: Layer,
    selection: SelectionReason,
    operations: Operation[],
  ): Promise<LayerStatus> {
    const { layerName: _, ...lock } = await readLockState(this.spec, layer.layerName);
    return {
      layerName: layer.layerName,
      kind: layer.kind,
      installTarget: this.graph.installTarget(layer, lock.lockVersion),
      lock,
      selection,
      operations,
    };
  }
}
