/**
 * Per-layer validation: each `[[runtimes]]`, `[[frameworks]]` and `[[applications]]` table
 * on its own. References between layers are resolved afterwards (references.ts).
 */
import path from "node:path";
import semver from "semver";
import { quote, TableReader } from "./fields.js";
import { layerNameFor, nameProblem } from "./names.js";
import { resolveModulePath, type SpecRoot } from "./paths.js";
import { readPlatforms } from "./platforms.js";
import { readPackageNames, readRequirements } from "./requirements.js";
import type { TomlTable } from "./toml.js";
import {
  type LayerKind,
  type Requirement,
  type RuntimeSpec,
  TARGET_PLATFORMS,
  type TargetPlatform,
} from "./types.js";

const COMMON_KEYS = ["name", "requirements", "versioned", "platforms", "allow_scripts"] as const;
export const RUNTIME_KEYS = [...COMMON_KEYS, "node_implementation"];
export const FRAMEWORK_KEYS = [...COMMON_KEYS, "runtime", "frameworks"];
export const APPLICATION_KEYS = [
  ...COMMON_KEYS,
  "runtime",
  "frameworks",
  "launch_module",
  "support_modules",
];

/** The spec array each kind is declared in. */
export const SECTION_OF: Record<LayerKind, string> = {
  runtime: "runtimes",
  framework: "frameworks",
  application: "applications",
};

/** What every layer table holds once checked on its own. */
interface DraftBase {
  name: string;
  layerName: string;
  /** Where it was declared: `frameworks[2]`. */
  table: string;
  /** Position in its section (file order). */
  index: number;
  /** Reports errors under the layer name. */
  reader: TableReader;
  requirements: Requirement[];
  versioned: boolean;
  allowScripts: string[];
}

/** A framework or application before its references are resolved. */
export interface UpperDraft extends DraftBase {
  kind: "framework" | "application";
  runtime?: string;
  frameworks: string[];
  platforms?: TargetPlatform[];
}

export interface ApplicationDraft extends UpperDraft {
  kind: "application";
  launchModule: string;
  supportModules: string[];
}

function readCommon(
  table: TomlTable,
  file: string,
  kind: LayerKind,
  index: number,
  allowed: readonly string[],
): DraftBase {
  const label = `${SECTION_OF[kind]}[${index}]`;
  const unnamed = new TableReader(table, file, label);
  const name = unnamed.requiredString("name", "a layer name");
  const problem = nameProblem(name);
  if (problem) unnamed.fail("name", problem);
  const layerName = layerNameFor(kind, name);
  const reader = unnamed.withLayer(layerName);
  reader.checkKeys(allowed);
  return {
    name,
    layerName,
    table: label,
    index,
    reader,
    requirements: readRequirements(reader),
    versioned: reader.boolean("versioned", false),
    allowScripts: readPackageNames(reader, "allow_scripts"),
  };
}

export function readRuntime(table: TomlTable, file: string, index: number): RuntimeSpec {
  const { reader, name, layerName, requirements, versioned, allowScripts } = readCommon(
    table,
    file,
    "runtime",
    index,
    RUNTIME_KEYS,
  );
  const nodeImplementation = reader.requiredString("node_implementation", "node@X.Y.Z");
  return {
    kind: "runtime",
    name,
    layerName,
    requirements,
    versioned,
    platforms: readPlatforms(reader) ?? [...TARGET_PLATFORMS],
    allowScripts,
    nodeImplementation,
    nodeVersion: parseNodeImplementation(reader, nodeImplementation),
  };
}

/** `node@22.12.0` → `22.12.0`; ranges, partial versions, a `v` prefix or other runtimes are refused. */
function parseNodeImplementation(reader: TableReader, written: string): string {
  const match = /^node@(.*)$/.exec(written);
  const version = match?.[1] ?? "";
  if (!match || semver.valid(version) !== version) {
    reader.fail(
      "node_implementation",
      `expected node@X.Y.Z with an exact Node.js version (e.g. node@22.12.0), got ${quote(written)}`,
    );
  }
  return version;
}

export function readFramework(table: TomlTable, file: string, index: number): UpperDraft {
  const common = readCommon(table, file, "framework", index, FRAMEWORK_KEYS);
  return { ...common, kind: "framework", ...readBases(common.reader) };
}

export async function readApplication(
  table: TomlTable,
  file: string,
  index: number,
  root: SpecRoot,
): Promise<ApplicationDraft> {
  const common = readCommon(table, file, "application", index, APPLICATION_KEYS);
  const { reader } = common;
  const bases = readBases(reader);
  const launchWritten = reader.requiredString(
    "launch_module",
    "the path of a .js/.mjs/.cjs file or a module directory",
  );
  const launchModule = await resolveModulePath(reader, "launch_module", launchWritten, root);
  const supportModules: string[] = [];
  const supportWritten = reader.stringArray("support_modules") ?? [];
  for (const [index, written] of supportWritten.entries()) {
    supportModules.push(
      await resolveModulePath(reader, `support_modules[${index}]`, written, root),
    );
  }
  checkModuleNames(reader, [
    { key: "launch_module", path: launchModule },
    ...supportModules.map((modulePath, i) => ({ key: `support_modules[${i}]`, path: modulePath })),
  ]);
  return { ...common, kind: "application", ...bases, launchModule, supportModules };
}

/** `runtime`, `frameworks` and `platforms` as written; checked against other layers later. */
function readBases(reader: TableReader): Pick<UpperDraft, "runtime" | "frameworks" | "platforms"> {
  const runtime = reader.string("runtime");
  const frameworks = reader.stringArray("frameworks") ?? [];
  if (runtime === undefined && frameworks.length === 0) {
    reader.fail(
      "runtime",
      "expected `runtime` or `frameworks` (or both): every layer needs a runtime to build on",
    );
  }
  const platforms = readPlatforms(reader);
  return {
    frameworks,
    ...(runtime === undefined ? {} : { runtime }),
    ...(platforms === undefined ? {} : { platforms }),
  };
}

/**
 * Modules are copied side by side into one directory: two with the same basename (compared
 * case-insensitively, as on macOS and Windows file systems) would overwrite each other.
 */
function checkModuleNames(reader: TableReader, modules: { key: string; path: string }[]): void {
  const seen = new Map<string, string>();
  for (const module of modules) {
    const basename = path.basename(module.path);
    const previous = seen.get(basename.toLowerCase());
    if (previous !== undefined) {
      reader.fail(
        module.key,
        `two modules share the name ${quote(basename)} (${previous} and ${module.key}); modules are copied into one directory, so their names must differ`,
      );
    }
    seen.set(basename.toLowerCase(), module.key);
  }
}
