/** Validation of a whole parsed spec document, in file order, stopping at the first error. */
import { SpecError } from "../errors.js";
import { describeValue, isTable, showKey } from "./fields.js";
import {
  type ApplicationDraft,
  readApplication,
  readFramework,
  readRuntime,
  SECTION_OF,
  type UpperDraft,
} from "./layers.js";
import { specRoot } from "./paths.js";
import { checkUniqueLayerNames, resolveReferences } from "./references.js";
import { readSettings } from "./settings.js";
import type { TomlTable } from "./toml.js";
import type {
  ApplicationSpec,
  FrameworkSpec,
  LayerKind,
  RuntimeSpec,
  StackSettings,
} from "./types.js";

export const TOP_LEVEL_KEYS = ["settings", "runtimes", "frameworks", "applications"] as const;

/**
 * Most layers a stack may declare. Framework orders are linearised layer by layer, which is
 * quadratic in a chain's length: a hostile spec of 20 000 chained frameworks would hang.
 */
export const MAX_LAYERS = 1000;

export interface ValidatedSpec {
  settings: StackSettings;
  runtimes: RuntimeSpec[];
  frameworks: FrameworkSpec[];
  applications: ApplicationSpec[];
}

/** Checks `document` (errors name the file as `file`); module paths resolve against `specDir`. */
export async function validateSpec(
  document: TomlTable,
  file: string,
  specDir: string,
): Promise<ValidatedSpec> {
  for (const key of Object.keys(document)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      throw new SpecError(
        { file, key: showKey(key) },
        `unknown top-level key; allowed keys are: ${TOP_LEVEL_KEYS.join(", ")}`,
      );
    }
  }

  const settingsTable = document.settings ?? {};
  if (!isTable(settingsTable)) {
    throw new SpecError(
      { file, layer: "settings" },
      `expected a table ([settings]), got ${describeValue(settingsTable)}`,
    );
  }
  const settings = readSettings(settingsTable, file);

  const runtimeTables = section(document, file, "runtime");
  const frameworkTables = section(document, file, "framework");
  const applicationTables = section(document, file, "application");
  const layerCount = runtimeTables.length + frameworkTables.length + applicationTables.length;
  if (layerCount > MAX_LAYERS) {
    throw new SpecError(
      { file },
      `expected at most ${MAX_LAYERS} layers ([[runtimes]], [[frameworks]] and [[applications]] tables), got ${layerCount}`,
    );
  }
  if (runtimeTables.length === 0) {
    throw new SpecError(
      { file, key: "runtimes" },
      "expected at least one [[runtimes]] table: every stack needs a Node.js runtime",
    );
  }
  const runtimes = runtimeTables.map((table, index) => readRuntime(table, file, index));
  const frameworkDrafts: UpperDraft[] = frameworkTables.map((table, index) =>
    readFramework(table, file, index),
  );
  const root = await specRoot(specDir);
  const applicationDrafts: ApplicationDraft[] = [];
  for (const [index, table] of applicationTables.entries()) {
    applicationDrafts.push(await readApplication(table, file, index, root));
  }

  checkUniqueLayerNames(file, [
    ...runtimes.map((runtime, index) => ({
      layerName: runtime.layerName,
      table: `runtimes[${index}]`,
    })),
    ...frameworkDrafts,
    ...applicationDrafts,
  ]);
  return { settings, runtimes, ...resolveReferences(runtimes, frameworkDrafts, applicationDrafts) };
}

/** The tables of `[[runtimes]]`, `[[frameworks]]` or `[[applications]]`; absent means none. */
function section(document: TomlTable, file: string, kind: LayerKind): TomlTable[] {
  const key = SECTION_OF[kind];
  const value = document[key];
  if (value === undefined) return [];
  const expected = `expected an array of tables ([[${key}]])`;
  if (!Array.isArray(value)) {
    throw new SpecError({ file, key }, `${expected}, got ${describeValue(value)}`);
  }
  return value.map((item: unknown, index) => {
    if (!isTable(item)) {
      throw new SpecError(
        { file, key: `${key}[${index}]` },
        `${expected}, got ${describeValue(item)}`,
      );
    }
    return item;
  });
}
