/**
 * Layer-aware resolution with npm's own resolver (Arborist's ideal tree, never reified).
 *
 * The layer's root manifest depends on its requirements plus every package the lower
 * layers provide, pinned to the provided version. The pins are seeded into a
 * package-lock.json without their dependencies, so Arborist treats them as finished
 * leaves: their subtrees belong to the lower layer. Top-level pins still visible are
 * inherited; every other node is the layer's own, at its tree path.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Arborist from "@npmcli/arborist";
import pacote from "pacote";
import semver from "semver";
import { EnvstacksError } from "../errors.js";
import type { Requirement } from "../spec/types.js";
import type { NpmOptions } from "./npm-config.js";
import { registryError, secretsOf } from "./registry-errors.js";
import type { InheritedPackage, LockedPackage, ProvidedPackage, ResolvedLayer } from "./types.js";

export interface ResolveLayerInput {
  /** Layer name, for messages. */
  layerName: string;
  /** The layer's own direct requirements. */
  requirements: Requirement[];
  /** What lower layers provide, in resolution order (first provider of a name wins). */
  provided: ProvidedPackage[];
  /** Existing lock: its choices are kept where still valid (unchanged inputs → same result). */
  previous?: ResolvedLayer;
  /** exclude_newer: only versions published before this instant. */
  before?: Date;
  npm: NpmOptions;
}

/** Root package name in the scratch directory; never appears in results. */
const ROOT_NAME = "envstacks-layer";

/** Resolves one layer's requirements on top of what its lower layers provide. */
export async function resolveLayer(input: ResolveLayerInput): Promise<ResolvedLayer> {
  const options = arboristOptions(input);
  // Known before Arborist runs, so that its errors can name the layers providing a package.
  let pins = new Map<string, ProvidedPackage>();
  try {
    pins = await choosePins(input, options);
    const rootDependencies = rootManifestDependencies(input.requirements, pins);
    const dir = await mkdtemp(join(tmpdir(), "envstacks-resolve-"));
    try {
      await writeScratchProject(dir, rootDependencies, pins, input.previous);
      const tree = await buildIdealTree(new Arborist({ ...options, path: dir }));
      return classify(tree, pins);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } catch (error) {
    throw registryError(error, {
      layerName: input.layerName,
      before: input.before,
      registry: input.npm.registry,
      secrets: secretsOf(input.npm.fetchOptions),
      providers: new Map([...pins.values()].map((p) => [`${p.name}@${p.version}`, p.layer])),
    });
  }
}

type ArboristOptions = ConstructorParameters<typeof Arborist>[0] & Record<string, unknown>;

function arboristOptions(input: ResolveLayerInput): ArboristOptions {
  return {
    ...input.npm.fetchOptions,
    cache: input.npm.cache,
    before: input.before ?? null,
    // Resolution must not depend on the user's npm settings: npm's defaults, spelled out.
    lockfileVersion: 3,
    installStrategy: "hoisted",
    legacyPeerDeps: false,
    strictPeerDeps: false,
    omitLockfileRegistryResolved: false,
    preferDedupe: false,
    ignoreScripts: true,
    audit: false,
    fund: false,
    progress: false,
    offline: false,
    preferOffline: false,
    preferOnline: false,
  };
}

/**
 * Arborist's ideal tree. The lock serves every target platform, so a required package made
 * for another OS or CPU (`fsevents` on Linux) is not an error here: Arborist checks
 * platforms after the tree is complete, and the tree is kept.
 */
async function buildIdealTree(arborist: Arborist): Promise<TreeNode> {
  try {
    return await arborist.buildIdealTree();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "EBADPLATFORM" && arborist.idealTree) return arborist.idealTree;
    throw error;
  }
}

/**
 * The provided packages this layer sees, keyed by name: the first provider of each name,
 * minus those a direct requirement must shadow. A direct requirement that conflicts with
 * a package its provider requires directly is an error.
 */
async function choosePins(
  input: ResolveLayerInput,
  options: ArboristOptions,
): Promise<Map<string, ProvidedPackage>> {
  const pins = new Map<string, ProvidedPackage>();
  for (const pkg of input.provided) {
    if (!pins.has(pkg.name)) pins.set(pkg.name, pkg);
  }
  for (const requirement of input.requirements) {
    const provider = pins.get(requirement.name);
    if (!provider || (await satisfies(provider, requirement, options))) continue;
    if (provider.direct) {
      const theirs = provider.range ? ` (${provider.name}@${provider.range})` : "";
      throw new EnvstacksError(
        `${input.layerName}: requirement ${requirement.raw} conflicts with ${provider.name} ` +
          `${provider.version} required directly by ${provider.layer}${theirs}`,
      );
    }
    // Only a transitive dependency below: this layer gets its own, shadowing copy.
    pins.delete(requirement.name);
  }
  return pins;
}

/** Does the provided version satisfy the requirement as npm would pick it? */
async function satisfies(
  provider: ProvidedPackage,
  requirement: Requirement,
  options: ArboristOptions,
): Promise<boolean> {
  if (requirement.type !== "tag") {
    return (
      requirement.range === "*" ||
      semver.satisfies(provider.version, requirement.range, { loose: true })
    );
  }
  // A dist-tag means the version the registry tags now (limited by exclude_newer).
  const manifest = await pacote.manifest(requirement.raw, options);
  return manifest.version === provider.version;
}

function rootManifestDependencies(
  requirements: Requirement[],
  pins: Map<string, ProvidedPackage>,
): Record<string, string> {
  const dependencies: Record<string, string> = {};
  for (const requirement of requirements) {
    dependencies[requirement.name] = pins.get(requirement.name)?.version ?? requirement.range;
  }
  for (const pin of pins.values()) {
    dependencies[pin.name] ??= pin.version;
  }
  return sortedRecord(dependencies);
}

/** package.json and a package-lock.json holding the pins and the previous own packages. */
async function writeScratchProject(
  dir: string,
  dependencies: Record<string, string>,
  pins: Map<string, ProvidedPackage>,
  previous: ResolvedLayer | undefined,
): Promise<void> {
  const root = { name: ROOT_NAME, version: "0.0.0", private: true, dependencies };
  const packages: Record<string, unknown> = { "": root };
  const pinPaths = [...pins.keys()].map((name) => `node_modules/${name}`);
  for (const pkg of previous?.own ?? []) {
    // A package now provided below replaces the layer's earlier copy and its subtree.
    if (pinPaths.some((p) => pkg.path === p || pkg.path.startsWith(`${p}/`))) continue;
    const { path, name, ...entry } = pkg;
    packages[path] = isAlias(path, name) ? { name, ...entry } : entry;
  }
  for (const pin of pins.values()) {
    packages[`node_modules/${pin.name}`] = {
      version: pin.version,
      resolved: pin.resolved,
      integrity: pin.integrity,
    };
  }
  const lock = { name: ROOT_NAME, version: "0.0.0", lockfileVersion: 3, requires: true, packages };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(root, null, 2)}\n`);
  await writeFile(join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
}

function isAlias(path: string, name: string): boolean {
  return !path.endsWith(`node_modules/${name}`);
}

type TreeNode = Arborist.Node;

/**
 * Splits the ideal tree into the layer's own packages and the inherited ones: every
 * provided package still visible from this layer (not shadowed by an own copy), as
 * venvstacks lists a layer's whole environment.
 */
function classify(tree: TreeNode, pins: Map<string, ProvidedPackage>): ResolvedLayer {
  const isPinNode = (node: TreeNode): boolean => {
    const pin = pins.get(node.name);
    return node.parent === tree && pin !== undefined && pin.version === node.version;
  };
  const belowPin = (node: TreeNode): boolean => {
    for (let n: TreeNode | null = node.parent; n && n !== tree; n = n.parent) {
      if (isPinNode(n)) return true;
    }
    return false;
  };

  const own: LockedPackage[] = [];
  const inherited: InheritedPackage[] = [];
  for (const node of tree.inventory.values()) {
    if (node === tree || node.isLink || belowPin(node) || isUnavailableOptional(node)) continue;
    const pin = pins.get(node.name);
    if (pin && isPinNode(node)) {
      inherited.push({ name: pin.name, version: pin.version, layer: pin.layer });
    } else {
      own.push(lockedPackage(node));
    }
  }
  own.sort((a, b) => compare(a.path, b.path));
  inherited.sort((a, b) => compare(a.name, b.name));
  return { own, inherited };
}

/**
 * An optional package the registry could not provide (e.g. a platform binary it lacks):
 * npm leaves it out of the tree rather than failing, and so does the lock.
 */
function isUnavailableOptional(node: TreeNode): boolean {
  return node.optional && (!node.resolved || !node.integrity || node.errors.length > 0);
}

/** A package-lock v3 entry for one ideal-tree node. */
function lockedPackage(node: TreeNode): LockedPackage {
  const pkg = node.package as Record<string, unknown>;
  if (!node.resolved || !node.integrity) {
    throw new EnvstacksError(
      `${node.location}: ${node.name}@${node.version} has no registry tarball or integrity`,
    );
  }
  const locked: LockedPackage = {
    path: node.location,
    name: node.packageName ?? node.name,
    version: node.version,
    resolved: withoutCredentials(node.resolved),
    integrity: node.integrity,
  };
  const dependencies = stringRecord(pkg.dependencies);
  if (dependencies) locked.dependencies = dependencies;
  const optionalDependencies = stringRecord(pkg.optionalDependencies);
  if (optionalDependencies) locked.optionalDependencies = optionalDependencies;
  const peerDependencies = stringRecord(pkg.peerDependencies);
  if (peerDependencies) locked.peerDependencies = peerDependencies;
  const peerMeta = peerDependenciesMeta(pkg.peerDependenciesMeta);
  if (peerMeta) locked.peerDependenciesMeta = peerMeta;
  if (node.optional) locked.optional = true;
  if (node.peer) locked.peer = true;
  for (const key of ["os", "cpu", "libc"] as const) {
    const values = stringList(pkg[key]);
    if (values) locked[key] = values;
  }
  const bin = binMap(pkg.bin, locked.name);
  if (bin) locked.bin = bin;
  const engines = stringRecord(pkg.engines);
  if (engines) locked.engines = engines;
  const license = licenseOf(pkg.license);
  if (license) locked.license = license;
  if (node.hasInstallScript) locked.hasInstallScript = true;
  if (typeof pkg.deprecated === "string" && pkg.deprecated) locked.deprecated = pkg.deprecated;
  return locked;
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function peerDependenciesMeta(value: unknown): Record<string, { optional?: boolean }> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const meta: Record<string, { optional?: boolean }> = {};
  for (const [name, entry] of Object.entries(value)) {
    const optional = (entry as { optional?: unknown } | null)?.optional;
    meta[name] = typeof optional === "boolean" ? { optional } : {};
  }
  return Object.keys(meta).length > 0 ? meta : undefined;
}

function stringList(value: unknown): string[] | undefined {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) return undefined;
  const strings = list.filter((v): v is string => typeof v === "string");
  return strings.length > 0 ? strings : undefined;
}

/** A string `bin` is the command named after the package (without its scope). */
function binMap(value: unknown, packageName: string): Record<string, string> | undefined {
  if (typeof value === "string") return { [packageName.replace(/^@[^/]+\//, "")]: value };
  return stringRecord(value);
}

function licenseOf(value: unknown): string | undefined {
  if (typeof value === "string") return value || undefined;
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === "string" ? type : undefined;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}

/** Locale-independent ordering, so locks do not depend on the machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
