/**
 * `publish`: builds the selected layers if needed, then writes one archive per layer into
 * OUTPUT_DIR with its metadata, and `__envstacks__/envstacks.json` last. Every file goes to a
 * temporary name first and is renamed into place, the metadata after its archive, so a killed
 * publish leaves no partial file at a final name and the next run completes the output.
 * A layer whose archive matches its metadata and was made from the current build is not
 * compressed again.
 */
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { type ArchiveFormat, archiveExtension, defaultArchiveFormat } from "../archive/formats.js";
import { archiveMtime } from "../archive/mtime.js";
import { writeArchive } from "../archive/write.js";
import {
  type BuildAction,
  type BuildOptions,
  type BuildTarget,
  buildLayers,
} from "../build/build-layers.js";
import { hostPlatform } from "../build/platform.js";
import { DEFAULT_CONCURRENCY, runScheduled } from "../build/schedule.js";
import { type BuildStamp, hashAppModules, readStamp } from "../build/stamps.js";
import { envstacksVersion } from "../build/version.js";
import { EnvstacksError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { BUILD_DIR_LOCK, OUTPUT_DIR_LOCK, withDirLock } from "../fs/dir-lock.js";
import type { Layer } from "../graph/layers.js";
import type { Selection } from "../graph/selection.js";
import { stableJson } from "../lock/hashes.js";
import type { LockMeta } from "../lock/meta.js";
import { LockStateReader, readCommittedLock } from "../lock/state.js";
import { appModulesMetadata } from "../metadata/app-modules.js";
import {
  type LayerMetadata,
  layerMetadataPath,
  parseLayerMetadata,
  renderMetadata,
  stackMetadata,
  stackMetadataPath,
} from "../metadata/layer-metadata.js";
import type { TargetPlatform } from "../spec/types.js";
import { archiveFileName, isLayerArchiveName } from "./archive-names.js";
import { fileDigest, removeStaleTempFiles, tempArchivePath } from "./output-files.js";
import {
  type PublishStamp,
  publishStampPath,
  readPublishStamp,
  renderPublishStamp,
} from "./publish-stamps.js";

export interface PublishOptions extends BuildOptions {
  /** Archive format for every layer; default: tar.xz for POSIX targets, zip for Windows. */
  format?: ArchiveFormat;
  /** Name archives `<install_target>-<platform>-<archive_build>.<ext>`. */
  tagOutputs?: boolean;
  /** Work out what would be published; lock, build and write nothing. */
  dryRun?: boolean;
}

/** `would write` only in a dry run. */
export type PublishAction = "written" | "up to date" | "skipped" | "would write";

export interface LayerPublishResult {
  layerName: string;
  installTarget: string;
  action: PublishAction;
  /** Why a layer is (or would be) written, or skipped. */
  reason?: string;
  archiveName?: string;
  archiveFormat?: ArchiveFormat;
  /** Bytes; absent when a dry run has not written the archive yet. */
  archiveSize?: number;
  archiveBuild?: number;
  /** What the build did first (absent in a dry run). */
  build?: BuildAction;
}

export interface PublishReport {
  outputDir: string;
  platform: TargetPlatform;
  dryRun: boolean;
  /** Layers selected for publishing, in graph order. */
  layers: LayerPublishResult[];
}

export async function publishLayers(
  target: BuildTarget,
  selection: Selection,
  outputDir: string,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const platform = options.platform ?? hostPlatform();
  const format = options.format ?? defaultArchiveFormat(platform);
  const output = path.resolve(outputDir);
  const settings: Settings = {
    target,
    output,
    platform,
    format,
    tagOutputs: options.tagOutputs ?? false,
  };
  const toPublish = selection.layers.filter((s) => s.operations.includes("publish"));
  await requireValidLocks(target, selection);
  if (options.dryRun) {
    const layers = [];
    for (const { layer } of toPublish) layers.push(await planDryRun(settings, layer));
    return { outputDir: output, platform, dryRun: true, layers };
  }

  // OUTPUT_DIR, and the build dir the archives are made from, are this run's alone until it
  // ends: a second publish waits, and cannot remove this one's temporary files.
  const holder = `publish of ${target.spec.specPath}`;
  const lockOptions = { log: options.log };
  return withDirLock(
    path.join(output, OUTPUT_DIR_LOCK),
    holder,
    () =>
      withDirLock(
        path.join(target.buildDir, BUILD_DIR_LOCK),
        holder,
        () => buildAndPublish(settings, selection, toPublish, options),
        lockOptions,
      ),
    lockOptions,
  );
}

async function buildAndPublish(
  settings: Settings,
  selection: Selection,
  toPublish: Selection["layers"],
  options: PublishOptions,
): Promise<PublishReport> {
  const { target, output, platform } = settings;
  const built = await buildLayers(target, selection, { ...options, platform });
  const metadataDir = path.dirname(stackMetadataPath(output));
  await mkdir(output, { recursive: true });
  await removeStaleTempFiles([
    output,
    metadataDir,
    path.dirname(layerMetadataPath(output, "x")),
    path.dirname(publishStampPath(output, "x")),
  ]);

  const results = new Map<string, LayerPublishResult>();
  const publishing = new Set(toPublish.map((s) => s.layer.layerName));
  const tasks = built.flatMap((build) => {
    if (!publishing.has(build.layerName)) return [];
    if (build.action === "skipped") {
      results.set(build.layerName, {
        layerName: build.layerName,
        installTarget: build.installTarget,
        action: "skipped",
        build: build.action,
        ...(build.reason !== undefined && { reason: build.reason }),
      });
      return [];
    }
    const layer = target.graph.get(build.layerName);
    return [
      {
        key: layer,
        dependsOn: [],
        run: async () => {
          const result = await publishLayer(settings, layer, options.log);
          results.set(layer.layerName, { ...result, build: build.action });
        },
      },
    ];
  });
  await runScheduled(tasks, DEFAULT_CONCURRENCY);
  await writeStackMetadata(settings);

  const layers = toPublish.flatMap(({ layer }) => results.get(layer.layerName) ?? []);
  return { outputDir: output, platform, dryRun: false, layers };
}

interface Settings {
  target: BuildTarget;
  output: string;
  platform: TargetPlatform;
  format: ArchiveFormat;
  tagOutputs: boolean;
}

/** Member mtime of a layer's archive, as seconds since the epoch. */
function mtimeSeconds(lockedAt: string): number {
  return archiveMtime(lockedAt, process.env).getTime() / 1000;
}

/**
 * `publish` does not lock: a layer it would build must have a valid committed lock. (With
 * `build --publish` the selection includes "lock", and the build locks what needs it.)
 */
async function requireValidLocks(target: BuildTarget, selection: Selection): Promise<void> {
  const reader = new LockStateReader(target.spec, target.graph);
  for (const { layer, operations } of selection.layers) {
    if (!operations.includes("build") || operations.includes("lock")) continue;
    const state = await reader.state(layer.layerName);
    if (state.status === "valid") continue;
    throw new EnvstacksError(
      `${layer.layerName}: cannot publish: its lock is ${state.status} (${state.reason ?? ""}); ` +
        "run envstacks lock, or envstacks build --publish, first",
    );
  }
}

/** A built layer as the publication sees it: what its metadata says apart from the archive. */
interface LayerState {
  layer: Layer;
  installTarget: string;
  buildStamp: BuildStamp;
  mtime: number;
  extension: string;
  /** Metadata fields that do not describe the archive. */
  base: Omit<
    LayerMetadata,
    "archive_name" | "archive_size" | "archive_hashes" | "archive_build" | "archive_format"
  >;
  previous: LayerMetadata | undefined;
  previousStamp: PublishStamp | undefined;
}

async function publishLayer(
  settings: Settings,
  layer: Layer,
  log: ((line: string) => void) | undefined,
): Promise<Omit<LayerPublishResult, "build">> {
  const { target, output } = settings;
  const meta = (await readCommittedLock(target.spec, layer.layerName)).meta;
  const buildStamp = await readStamp(target.buildDir, layer.layerName);
  if (meta === undefined || buildStamp === undefined) {
    throw new Error(`${layer.layerName} was built without a lock or a build stamp`);
  }
  const state = await layerState(settings, layer, meta, buildStamp);
  const current = await currentArchive(settings, state);
  let metadata: LayerMetadata;
  let reason: string | undefined;
  if (current.upToDate) {
    metadata = current.metadata;
    log?.(`${layer.layerName}: ${metadata.archive_name} is up to date`);
  } else {
    reason = current.reason;
    log?.(`${layer.layerName}: writing the archive of ${state.installTarget} (${reason})`);
    metadata = await writeLayerArchive(settings, state);
    log?.(`${layer.layerName}: wrote ${metadata.archive_name}`);
  }
  // Metadata after its archive, the stamp after the metadata: each names only what exists.
  await writeFileAtomic(layerMetadataPath(output, layer.layerName), renderMetadata(metadata));
  await writeFileAtomic(
    publishStampPath(output, layer.layerName),
    renderPublishStamp(publishStamp(state, metadata)),
  );
  await removeOtherArchives(output, layer.layerName, metadata.archive_name);
  return {
    layerName: layer.layerName,
    installTarget: state.installTarget,
    action: current.upToDate ? "up to date" : "written",
    ...(reason !== undefined && { reason }),
    archiveName: metadata.archive_name,
    archiveFormat: settings.format,
    archiveSize: metadata.archive_size,
    archiveBuild: metadata.archive_build,
  };
}

async function layerState(
  settings: Settings,
  layer: Layer,
  meta: LockMeta,
  buildStamp: BuildStamp,
): Promise<LayerState> {
  const { output, platform } = settings;
  const installTarget = buildStamp.inputs.install_target;
  const lowerTargets = buildStamp.inputs.lower_layers;
  const runtimeSpec = layer.runtime.spec;
  const runtimeLayer =
    layer.kind === "runtime"
      ? installTarget
      : lowerTargets.find((l) => l.layer_name === layer.runtime.layerName)?.install_target;
  if (runtimeLayer === undefined || runtimeSpec.kind !== "runtime") {
    throw new Error(`${layer.layerName}: the build stamp does not name its runtime layer`);
  }
  const base: LayerState["base"] = {
    layer_name: layer.layerName,
    install_target: installTarget,
    lock_version: meta.lock_version,
    locked_at: meta.locked_at,
    requirements_hash: meta.requirements_hash,
    node_implementation: runtimeSpec.nodeImplementation,
    runtime_layer: runtimeLayer,
    required_layers: lowerTargets.map((l) => l.install_target),
    target_platform: platform,
    ...(layer.spec.kind === "application" && (await appModulesMetadata(layer.spec))),
  };
  return {
    layer,
    installTarget,
    buildStamp,
    mtime: mtimeSeconds(meta.locked_at),
    extension: archiveExtension(settings.format),
    base,
    previous: await readLayerMetadata(output, layer.layerName),
    previousStamp: await readPublishStamp(output, layer.layerName),
  };
}

type ArchiveCheck =
  | { upToDate: true; metadata: LayerMetadata }
  | { upToDate: false; reason: string };

/**
 * Whether the archive the previous publish wrote is still the one this build gives: same
 * build, lock, format, mtime and name, and the file at that name matches its metadata.
 */
async function currentArchive(settings: Settings, state: LayerState): Promise<ArchiveCheck> {
  const { previous, previousStamp } = state;
  if (previous === undefined) return { upToDate: false, reason: "not published yet" };
  if (previousStamp === undefined || previousStamp.build_digest !== state.buildStamp.digest) {
    return { upToDate: false, reason: "layer build changed" };
  }
  if (
    previous.lock_version !== state.base.lock_version ||
    previous.install_target !== state.installTarget
  ) {
    return { upToDate: false, reason: "lock changed" };
  }
  if (previous.archive_format !== settings.format) {
    return { upToDate: false, reason: "archive format changed" };
  }
  if (previousStamp.archive_mtime !== state.mtime) {
    return { upToDate: false, reason: "archive mtime changed" };
  }
  const name = archiveName(settings, state, previous.archive_build);
  if (previous.archive_name !== name || previousStamp.archive_name !== name) {
    return { upToDate: false, reason: "archive name changed" };
  }
  const digest = await fileDigest(path.join(settings.output, name));
  if (digest === undefined) return { upToDate: false, reason: "archive missing" };
  if (
    digest.size !== previous.archive_size ||
    digest.sha256 !== previous.archive_hashes.sha256 ||
    digest.sha256 !== previousStamp.archive_sha256
  ) {
    return { upToDate: false, reason: "archive does not match its metadata" };
  }
  return {
    upToDate: true,
    metadata: {
      ...state.base,
      archive_name: name,
      archive_format: settings.format,
      archive_size: digest.size,
      archive_hashes: { sha256: digest.sha256 },
      archive_build: previous.archive_build,
    },
  };
}

/** Compresses the built layer under a temporary name, then renames it into place. */
async function writeLayerArchive(settings: Settings, state: LayerState): Promise<LayerMetadata> {
  const { output, target, format } = settings;
  const source = path.join(target.buildDir, state.installTarget);
  const temp = tempArchivePath(output, archiveFileName(state.installTarget, state.extension));
  try {
    // Two layers are compressed at once; two xz threads each keep both cores busy when one
    // large layer is left alone (the thread count never changes the bytes).
    const written = await writeArchive(source, state.installTarget, temp, {
      format,
      mtime: new Date(state.mtime * 1000),
      threads: 2,
    });
    const sha256 = written.sha256.replace(/^sha256:/, "");
    const build = archiveBuild(state.previous, state.base.lock_version, sha256);
    const name = archiveName(settings, state, build);
    await rename(temp, path.join(output, name));
    return {
      ...state.base,
      archive_name: name,
      archive_format: format,
      archive_size: written.size,
      archive_hashes: { sha256 },
      archive_build: build,
    };
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * 1 for a lock version not published before; the previous build number while the archive's
 * bytes stay the same; one more when they change under the same lock version.
 */
export function archiveBuild(
  previous: Pick<LayerMetadata, "lock_version" | "archive_build" | "archive_hashes"> | undefined,
  lockVersion: number,
  sha256: string,
): number {
  if (previous === undefined || previous.lock_version !== lockVersion) return 1;
  return previous.archive_hashes.sha256 === sha256
    ? previous.archive_build
    : previous.archive_build + 1;
}

function archiveName(settings: Settings, state: LayerState, build: number): string {
  const tag = settings.tagOutputs
    ? { platform: settings.platform, archiveBuild: build }
    : undefined;
  return archiveFileName(state.installTarget, state.extension, tag);
}

function publishStamp(state: LayerState, metadata: LayerMetadata): PublishStamp {
  return {
    layer_name: state.layer.layerName,
    archive_name: metadata.archive_name,
    archive_sha256: metadata.archive_hashes.sha256,
    build_digest: state.buildStamp.digest,
    archive_mtime: state.mtime,
  };
}

/** Archives of the layer under another name (older install target, format or tag). */
async function removeOtherArchives(output: string, layerName: string, keep: string) {
  for (const entry of await readdir(output)) {
    if (entry !== keep && isLayerArchiveName(entry, layerName)) {
      await rm(path.join(output, entry), { force: true });
    }
  }
}

async function readLayerMetadata(
  output: string,
  layerName: string,
): Promise<LayerMetadata | undefined> {
  const text = await readFile(layerMetadataPath(output, layerName), "utf8").catch(() => undefined);
  return text === undefined ? undefined : parseLayerMetadata(text);
}

/** envstacks.json: every layer of the stack that has metadata in OUTPUT_DIR, by kind. */
async function writeStackMetadata(settings: Settings): Promise<void> {
  const layers = [];
  for (const layer of settings.target.graph.layers) {
    const metadata = await readLayerMetadata(settings.output, layer.layerName);
    if (metadata !== undefined) layers.push({ kind: layer.kind, metadata });
  }
  await writeFileAtomic(stackMetadataPath(settings.output), renderMetadata(stackMetadata(layers)));
}

/**
 * The dry-run entry of one layer, from committed locks, build stamps and OUTPUT_DIR alone:
 * "up to date" only when the build would not change and the published archive is current.
 */
async function planDryRun(settings: Settings, layer: Layer): Promise<LayerPublishResult> {
  const { target, platform } = settings;
  const lockState = await new LockStateReader(target.spec, target.graph).state(layer.layerName);
  const installTarget = target.graph.installTarget(layer, lockState.lockVersion);
  const entry = { layerName: layer.layerName, installTarget };
  if (!layer.platforms.includes(platform)) {
    return {
      ...entry,
      action: "skipped",
      reason: `not built for ${platform} (platforms: ${layer.platforms.join(", ")})`,
    };
  }
  const extension = archiveExtension(settings.format);
  const previous = await readLayerMetadata(settings.output, layer.layerName);
  const nextBuild =
    previous?.lock_version === lockState.lockVersion ? (previous?.archive_build ?? 0) + 1 : 1;
  const wouldWrite = (reason: string): LayerPublishResult => ({
    ...entry,
    action: "would write",
    reason,
    archiveName: archiveFileName(
      installTarget,
      extension,
      settings.tagOutputs ? { platform, archiveBuild: nextBuild } : undefined,
    ),
    archiveFormat: settings.format,
    archiveBuild: nextBuild,
  });
  const meta = (await readCommittedLock(target.spec, layer.layerName)).meta;
  if (lockState.status !== "valid" || meta === undefined) {
    return wouldWrite(`lock ${lockState.status}: would lock and build first`);
  }
  const stamp = await readStamp(target.buildDir, layer.layerName);
  if (
    stamp === undefined ||
    !(await stampStillCurrent(stamp, layer, meta, installTarget, platform))
  ) {
    return wouldWrite("would build first");
  }
  const state = await layerState(settings, layer, meta, stamp);
  const current = await currentArchive(settings, state);
  if (!current.upToDate) return wouldWrite(current.reason);
  const { metadata } = current;
  return {
    ...entry,
    action: "up to date",
    archiveName: metadata.archive_name,
    archiveFormat: settings.format,
    archiveSize: metadata.archive_size,
    archiveBuild: metadata.archive_build,
  };
}

/** Whether the recorded build stamp still describes what a build would give (dry run). */
async function stampStillCurrent(
  stamp: BuildStamp,
  layer: Layer,
  meta: LockMeta,
  installTarget: string,
  platform: TargetPlatform,
): Promise<boolean> {
  const { inputs } = stamp;
  const appModules =
    layer.spec.kind === "application" ? await hashAppModules(layer.spec) : ({} as const);
  return (
    inputs.envstacks_version === envstacksVersion() &&
    inputs.platform === platform &&
    inputs.install_target === installTarget &&
    inputs.requirements_hash === meta.requirements_hash &&
    inputs.lock_version === meta.lock_version &&
    stableJson(inputs.app_modules) === stableJson(appModules)
  );
}
