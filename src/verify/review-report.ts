/**
 * The review report of an expected-output update, in markdown for a pull request body:
 * archive size changes per layer (flagged beyond ±10 %), lock version bumps, layers added
 * or removed, and per layer the packages that moved between its own and inherited sections
 * of `packages-<layer>.txt`, appeared, disappeared or changed version. Sorted throughout, so
 * the same two states always give the same text.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { compareText, INHERITED_HEADER, layerLockPaths } from "../lock/lock-files.js";
import { LAYER_METADATA_DIR_NAME, parseLayerMetadata } from "../metadata/layer-metadata.js";

/** One state of a stack: its `requirements/` dir and a dir holding `env_metadata/<layer>.json`. */
export interface StackState {
  requirementsDir: string;
  /** `expected-output/<platform>` or `OUTPUT_DIR/__envstacks__`. */
  metadataDir: string;
}

/** Size changes beyond this share are flagged for the reviewer. */
export const SIZE_CHANGE_FLAG_PERCENT = 10;

export async function reviewReport(before: StackState, after: StackState): Promise<string> {
  return renderReviewReport(await readLayerStates(before), await readLayerStates(after));
}

/** What the report needs to know of one layer in one state. */
export interface LayerState {
  /** From the layer's metadata; absent when it was not published (e.g. other platform). */
  archiveSize?: number;
  /** From the lock meta, else the metadata. */
  lockVersion?: number;
  /** Absent when the layer has no packages list. */
  packages?: PackagesList;
}

export interface PackagesList {
  own: PackageEntry[];
  inherited: PackageEntry[];
}

export interface PackageEntry {
  name: string;
  version: string;
  /** The providing layer, for inherited packages. */
  layer?: string;
}

/** Parses `packages-<layer>.txt`: `name==version` lines, the header, `name==version  # layer` lines. */
export function parsePackagesList(text: string): PackagesList {
  const list: PackagesList = { own: [], inherited: [] };
  let section = list.own;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === INHERITED_HEADER) {
      section = list.inherited;
      continue;
    }
    const match = /^(\S+?)==(\S+)(?:\s+#\s*(\S+))?$/.exec(line);
    if (match === null) continue;
    const [, name = "", version = "", layer] = match;
    section.push(layer === undefined ? { name, version } : { name, version, layer });
  }
  return list;
}

async function readLayerStates(state: StackState): Promise<Map<string, LayerState>> {
  const layers = new Map<string, LayerState>();
  const entry = (name: string): LayerState => {
    let layer = layers.get(name);
    if (layer === undefined) {
      layer = {};
      layers.set(name, layer);
    }
    return layer;
  };
  const metadataDir = path.join(state.metadataDir, LAYER_METADATA_DIR_NAME);
  for (const file of await listNames(metadataDir)) {
    if (!file.endsWith(".json")) continue;
    const metadata = await readJson(path.join(metadataDir, file), parseLayerMetadata);
    if (metadata === undefined) continue;
    const layer = entry(metadata.layer_name);
    layer.archiveSize = metadata.archive_size;
    layer.lockVersion = metadata.lock_version;
  }
  for (const name of await listNames(state.requirementsDir)) {
    const paths = layerLockPaths(path.join(state.requirementsDir, name), name);
    const list = await readFile(paths.packagesList, "utf8").catch(() => undefined);
    const meta = await readJson(paths.meta, lockVersionOf);
    if (list === undefined && meta === undefined) continue;
    const layer = entry(name);
    if (list !== undefined) layer.packages = parsePackagesList(list);
    if (meta !== undefined) layer.lockVersion = meta;
  }
  return layers;
}

function lockVersionOf(text: string): number | undefined {
  const value = (JSON.parse(text) as { lock_version?: unknown }).lock_version;
  return Number.isInteger(value) ? (value as number) : undefined;
}

async function readJson<T>(file: string, parse: (text: string) => T | undefined) {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

async function listNames(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).sort(compareText);
}

/** The markdown for two states already read (`readLayerStates`), keyed by layer name. */
export function renderReviewReport(
  before: ReadonlyMap<string, LayerState>,
  after: ReadonlyMap<string, LayerState>,
): string {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort(compareText);
  const added = names.filter((n) => !before.has(n));
  const removed = names.filter((n) => !after.has(n));
  const sizeRows = names.flatMap((n) => sizeRow(n, before.get(n), after.get(n)));
  const bumps = names.flatMap((n) => lockVersionBump(n, before.get(n), after.get(n)));
  const packageSections = names.flatMap((n) =>
    packageChanges(n, before.get(n)?.packages, after.get(n)?.packages),
  );

  const sections: string[] = [];
  if (added.length > 0 || removed.length > 0) {
    sections.push(
      [
        "### Layers",
        ...added.map((n) => `- added: \`${n}\``),
        ...removed.map((n) => `- removed: \`${n}\``),
      ].join("\n"),
    );
  }
  if (sizeRows.length > 0) {
    sections.push(
      [
        "### Archive sizes",
        "",
        "| layer | before | after | change |",
        "|---|---:|---:|---:|",
        ...sizeRows,
      ].join("\n"),
    );
  }
  if (bumps.length > 0) sections.push(["### Lock versions", ...bumps].join("\n"));
  if (packageSections.length > 0) sections.push(["### Packages", ...packageSections].join("\n"));

  const title = "## envstacks review report";
  if (sections.length === 0) return `${title}\n\nNo changes to archive sizes, locks or packages.\n`;
  return `${[title, ...sections].join("\n\n")}\n`;
}

function sizeRow(name: string, before?: LayerState, after?: LayerState): string[] {
  const old = before?.archiveSize;
  const now = after?.archiveSize;
  if (old === now) return [];
  return [`| \`${name}\` | ${formatBytes(old)} | ${formatBytes(now)} | ${sizeChange(old, now)} |`];
}

function sizeChange(before?: number, after?: number): string {
  if (before === undefined) return "new";
  if (after === undefined) return "gone";
  const delta = after - before;
  const bytes = `${delta > 0 ? "+" : ""}${delta} B`;
  if (before === 0) return bytes;
  const percent = (delta / before) * 100;
  const text = `${percent > 0 ? "+" : ""}${percent.toFixed(1)} %`;
  return Math.abs(percent) > SIZE_CHANGE_FLAG_PERCENT ? `⚠️ **${text}**` : text;
}

function formatBytes(bytes?: number): string {
  return bytes === undefined ? "—" : `${bytes} B`;
}

function lockVersionBump(name: string, before?: LayerState, after?: LayerState): string[] {
  const old = before?.lockVersion;
  const now = after?.lockVersion;
  if (old === undefined || now === undefined || old === now) return [];
  return [`- \`${name}\`: lock_version ${old} → ${now}`];
}

/** Per package name: which versions a section holds. */
type Section = Map<string, string[]>;

function bySection(entries: readonly PackageEntry[]): Section {
  const section: Section = new Map();
  for (const { name, version, layer } of entries) {
    const label = layer === undefined ? version : `${version} from \`${layer}\``;
    section.set(name, [...(section.get(name) ?? []), label]);
  }
  return section;
}

/** A `#### layer` heading and one bullet per package that changed, or nothing. */
function packageChanges(name: string, before?: PackagesList, after?: PackagesList): string[] {
  if (before === undefined && after === undefined) return [];
  const own = [bySection(before?.own ?? []), bySection(after?.own ?? [])] as const;
  const inherited = [
    bySection(before?.inherited ?? []),
    bySection(after?.inherited ?? []),
  ] as const;
  const packages = [
    ...new Set([
      ...own[0].keys(),
      ...own[1].keys(),
      ...inherited[0].keys(),
      ...inherited[1].keys(),
    ]),
  ].sort(compareText);
  const lines: string[] = [];
  for (const pkg of packages) {
    const was = { own: own[0].get(pkg), inherited: inherited[0].get(pkg) };
    const now = { own: own[1].get(pkg), inherited: inherited[1].get(pkg) };
    const describe = (side: typeof was) =>
      [
        ...(side.own ?? []).map((v) => `${v} (own)`),
        ...(side.inherited ?? []).map((v) => `${v} (inherited)`),
      ].join(", ");
    const line = packageChange(pkg, was, now, describe);
    if (line !== undefined) lines.push(line);
  }
  return lines.length === 0 ? [] : [`#### \`${name}\``, ...lines];
}

interface Sides {
  own: string[] | undefined;
  inherited: string[] | undefined;
}

function packageChange(
  pkg: string,
  was: Sides,
  now: Sides,
  describe: (side: Sides) => string,
): string | undefined {
  const present = (s: Sides) => s.own !== undefined || s.inherited !== undefined;
  const onlyOwn = (s: Sides) => s.own !== undefined && s.inherited === undefined;
  const onlyInherited = (s: Sides) => s.own === undefined && s.inherited !== undefined;
  const name = `\`${pkg}\``;
  if (!present(was)) return `- added: ${name} ${describe(now)}`;
  if (!present(now)) return `- removed: ${name} ${describe(was)}`;
  if (onlyOwn(was) && onlyInherited(now)) {
    return `- **moved from own to inherited**: ${name} ${describe(was)} → ${describe(now)}`;
  }
  if (onlyInherited(was) && onlyOwn(now)) {
    return `- **moved from inherited to own**: ${name} ${describe(was)} → ${describe(now)}`;
  }
  const before = describe(was);
  const after = describe(now);
  return before === after ? undefined : `- changed: ${name} ${before} → ${after}`;
}
