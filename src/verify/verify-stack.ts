/**
 * `verify`: relocks and republishes a user's stack away from their files, then compares the
 * fresh locks with the committed `requirements/` and the fresh metadata with an
 * expected-output directory, `DIR/<platform>/envstacks.json` and
 * `DIR/<platform>/env_metadata/<layer>.json`. Nothing beside the spec or in DIR is written
 * unless `update` asks for it.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ArchiveFormat } from "../archive/formats.js";
import { hostPlatform } from "../build/platform.js";
import type { BuildEnvironment } from "../env/build-environment.js";
import { EnvstacksError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic.js";
import type { Selection, SelectionOptions } from "../graph/selection.js";
import { loadNpmOptions } from "../lock/npm-config.js";
import {
  LAYER_METADATA_DIR_NAME,
  METADATA_DIR_NAME,
  STACK_METADATA_FILE_NAME,
} from "../metadata/layer-metadata.js";
import type { ApplicationSpec, TargetPlatform } from "../spec/types.js";
import { compareFiles, type FileComparison, hasDifferences, listFiles } from "./compare.js";
import { reviewReport } from "./review-report.js";

export const REQUIREMENTS_DIR_NAME = "requirements";

export interface VerifyOptions {
  /** Expected-output directory; the metadata is compared with `<expectedDir>/<platform>/`. */
  expectedDir: string;
  /** Rewrite the committed locks and the expected metadata with the fresh ones. */
  update?: boolean;
  /** When anything differs, save the fresh `requirements/`, `manifests/` and `archives/` here. */
  exportDir?: string;
  /** Build platform; default: the host's. */
  platform?: TargetPlatform;
  /** Archive format of the fresh publish (default: publish's default for the platform). */
  format?: ArchiveFormat;
  /** Do not relock; build from the committed locks and the download cache alone. */
  offline?: boolean;
  /** Build directory to reuse; default: a temporary one, removed afterwards. */
  buildDir?: string;
  /** Which layers to verify; default: all. With `include`, envstacks.json is not compared. */
  selection?: SelectionOptions;
  /** Also return the review report (committed state → fresh state) as markdown. */
  reviewReport?: boolean;
  log?: (line: string) => void;
}

export interface UpdatedFile {
  /** Absolute path of the committed file. */
  path: string;
  action: "written" | "removed";
}

export interface VerifyReport {
  platform: TargetPlatform;
  /** `<expectedDir>/<platform>`, absolute. */
  expectedPlatformDir: string;
  /** Paths relative to the spec's directory: `requirements/<layer>/<file>`. */
  locks: FileComparison[];
  /** Paths relative to `expectedPlatformDir`: `envstacks.json`, `env_metadata/<layer>.json`. */
  metadata: FileComparison[];
  /** Whether every compared file matches (before any update). */
  equal: boolean;
  /** Files `update` rewrote or removed; empty without `update`. */
  updated: UpdatedFile[];
  /** Where the fresh artifacts were exported, when they were. */
  exportedTo?: string;
  /** With `reviewReport`. */
  reviewReport?: string;
}

export async function verifyStack(
  env: BuildEnvironment,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const platform = options.platform ?? hostPlatform();
  const expectedDir = path.resolve(options.expectedDir);
  const expectedPlatformDir = path.join(expectedDir, platform);
  if (!options.update && !(await isDirectory(expectedDir))) {
    throw new EnvstacksError(
      `expected-output directory ${options.expectedDir} does not exist; ` +
        "create it with envstacks verify --update",
    );
  }
  const selectionOptions = options.selection ?? {};
  const scope = verifiedScope(env.select(selectionOptions, ["lock", "build", "publish"]));
  const log = options.log;

  const work = await mkdtemp(path.join(tmpdir(), "envstacks-verify-"));
  try {
    const copy = await copySpec(env, work);
    const { StackSpec } = await import("../spec/stack-spec.js");
    const fresh = (await StackSpec.load(copy.specPath)).defineBuildEnvironment(
      options.buildDir ?? path.join(work, "build"),
    );
    // The npm configuration of the user's directory (a project .npmrc), not the copy's.
    const npm = await loadNpmOptions(env.spec.specDir);
    if (!options.offline) {
      log?.("locking a copy of the spec (committed locks are left alone)");
      await fresh.lock(selectionOptions, { ifNeeded: false, npm, ...(log && { log }) });
    }
    const output = path.join(work, "output");
    await fresh.publish(selectionOptions, output, {
      platform,
      npm,
      offline: options.offline ?? false,
      ...(options.format !== undefined && { format: options.format }),
      ...(log && { log }),
    });

    const sides: Sides = {
      committedLocks: path.join(env.spec.specDir, REQUIREMENTS_DIR_NAME),
      freshLocks: path.join(copy.specDir, REQUIREMENTS_DIR_NAME),
      committedMetadata: expectedPlatformDir,
      freshMetadata: path.join(output, METADATA_DIR_NAME),
      output,
    };
    const locks = await compareLocks(sides, scope);
    const metadata = await compareMetadata(sides, scope);
    const equal = !hasDifferences(locks) && !hasDifferences(metadata);
    const report: VerifyReport = {
      platform,
      expectedPlatformDir,
      locks,
      metadata,
      equal,
      updated: [],
    };
    if (options.reviewReport) {
      report.reviewReport = await reviewReport(
        { requirementsDir: sides.committedLocks, metadataDir: sides.committedMetadata },
        { requirementsDir: sides.freshLocks, metadataDir: sides.freshMetadata },
      );
    }
    if (!equal && options.exportDir !== undefined) {
      report.exportedTo = path.resolve(options.exportDir);
      await exportArtifacts(sides, locks, metadata, report.exportedTo);
      log?.(`exported the fresh artifacts to ${options.exportDir}`);
    }
    if (options.update) {
      report.updated = [
        ...(await applyFresh(
          locks,
          path.dirname(sides.freshLocks),
          path.dirname(sides.committedLocks),
        )),
        ...(await applyFresh(metadata, sides.freshMetadata, sides.committedMetadata)),
      ];
    }
    return report;
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** Where each side's files are during a verification. */
interface Sides {
  committedLocks: string;
  freshLocks: string;
  committedMetadata: string;
  freshMetadata: string;
  /** The fresh OUTPUT_DIR, holding the archives. */
  output: string;
}

/** The layers whose files are compared; `all` also compares files of layers not in the spec. */
interface Scope {
  all: boolean;
  locked: Set<string>;
  published: Set<string>;
}

function verifiedScope(selection: Selection): Scope {
  const withOperation = (operation: "lock" | "publish") =>
    new Set(
      selection.layers
        .filter((s) => s.operations.includes(operation))
        .map((s) => s.layer.layerName),
    );
  const published = withOperation("publish");
  return {
    all: selection.layers.every((s) => s.operations.includes("publish")),
    locked: withOperation("lock"),
    published,
  };
}

/** `requirements/**`: of every layer, and of layers no longer in the spec, when all are verified. */
async function compareLocks(sides: Sides, scope: Scope): Promise<FileComparison[]> {
  const files = [
    ...(await listFiles(sides.freshLocks)),
    ...(await listFiles(sides.committedLocks)),
  ].filter((file) => scope.all || scope.locked.has(file.split("/")[0] ?? ""));
  // Compared from the spec directories so that paths and patch labels read `requirements/…`.
  return compareFiles(
    path.dirname(sides.freshLocks),
    path.dirname(sides.committedLocks),
    files.map((file) => `${REQUIREMENTS_DIR_NAME}/${file}`),
  );
}

/** `envstacks.json` (when every layer is verified) and `env_metadata/<layer>.json`. */
async function compareMetadata(sides: Sides, scope: Scope): Promise<FileComparison[]> {
  const isLayerMetadata = (file: string) => {
    const match = new RegExp(`^${LAYER_METADATA_DIR_NAME}/([^/]+)\\.json$`).exec(file);
    return match !== null && (scope.all || scope.published.has(match[1] ?? ""));
  };
  const files = [
    ...(await listFiles(sides.freshMetadata)),
    ...(await listFiles(sides.committedMetadata)),
  ].filter((file) => (scope.all && file === STACK_METADATA_FILE_NAME) || isLayerMetadata(file));
  return compareFiles(sides.freshMetadata, sides.committedMetadata, files);
}

/** The spec, its modules and its layers' committed locks, copied into `work`. */
interface SpecCopy {
  specPath: string;
  specDir: string;
}

/**
 * Copies the spec with its launch and support modules at the same relative places (modules
 * outside the spec's directory included) and the committed locks of the spec's layers.
 */
async function copySpec(env: BuildEnvironment, work: string): Promise<SpecCopy> {
  const { spec } = env;
  const modules = spec.applications.flatMap((app: ApplicationSpec) => [
    app.launchModule,
    ...app.supportModules,
  ]);
  const root = commonAncestor([spec.specDir, ...modules]);
  const place = (file: string) => path.join(work, "spec", path.relative(root, file));
  const copy = { specPath: place(spec.specPath), specDir: place(spec.specDir) };
  await mkdir(copy.specDir, { recursive: true });
  await cp(spec.specPath, copy.specPath);
  for (const module of new Set(modules)) {
    await cp(module, place(module), {
      recursive: true,
      // The build does not copy an app's node_modules either.
      filter: (source) => path.basename(source) !== "node_modules",
    });
  }
  for (const layer of spec.layers) {
    const committed = spec.requirementsDir(layer.layerName);
    if (!(await isDirectory(committed))) continue;
    await cp(committed, path.join(copy.specDir, REQUIREMENTS_DIR_NAME, layer.layerName), {
      recursive: true,
    });
  }
  return copy;
}

function commonAncestor(paths: readonly string[]): string {
  return paths.reduce((common, next) => {
    let dir = common;
    while (path.relative(dir, next).startsWith("..") || path.isAbsolute(path.relative(dir, next))) {
      dir = path.dirname(dir);
    }
    return dir;
  });
}

/** `exportDir/requirements`, `exportDir/manifests` (metadata JSON) and `exportDir/archives`. */
async function exportArtifacts(
  sides: Sides,
  locks: readonly FileComparison[],
  metadata: readonly FileComparison[],
  exportDir: string,
): Promise<void> {
  const copyFresh = async (from: string, files: string[], to: string) => {
    for (const file of files) {
      const target = path.join(to, ...file.split("/"));
      await mkdir(path.dirname(target), { recursive: true });
      await cp(path.join(from, ...file.split("/")), target);
    }
  };
  const freshOnly = (list: readonly FileComparison[]) =>
    list.filter((c) => c.status !== "removed").map((c) => c.path);
  await copyFresh(
    sides.freshLocks,
    freshOnly(locks).map((p) => p.slice(REQUIREMENTS_DIR_NAME.length + 1)),
    path.join(exportDir, "requirements"),
  );
  await copyFresh(sides.freshMetadata, freshOnly(metadata), path.join(exportDir, "manifests"));
  const archives: string[] = [];
  for (const entry of await readdir(sides.output, { withFileTypes: true })) {
    if (entry.isFile()) archives.push(entry.name);
  }
  await copyFresh(sides.output, archives, path.join(exportDir, "archives"));
}

/**
 * Makes the committed side equal to the fresh one for the compared files: differing files
 * rewritten atomically, files only committed removed (with directories left empty).
 */
async function applyFresh(
  comparisons: readonly FileComparison[],
  freshRoot: string,
  committedRoot: string,
): Promise<UpdatedFile[]> {
  const updated: UpdatedFile[] = [];
  for (const { path: relative, status } of comparisons) {
    if (status === "same") continue;
    const target = path.join(committedRoot, ...relative.split("/"));
    if (status === "removed") {
      await rm(target, { force: true });
      await removeEmptyParents(path.dirname(target), committedRoot);
      updated.push({ path: target, action: "removed" });
    } else {
      await writeFileAtomic(target, await readFile(path.join(freshRoot, ...relative.split("/"))));
      updated.push({ path: target, action: "written" });
    }
  }
  return updated;
}

async function removeEmptyParents(dir: string, stopAt: string): Promise<void> {
  let current = dir;
  while (current !== stopAt && current.startsWith(stopAt)) {
    const entries = await readdir(current).catch(() => undefined);
    if (entries === undefined || entries.length > 0) return;
    await rmdir(current);
    current = path.dirname(current);
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}
