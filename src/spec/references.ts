/**
 * Cross-layer rules: unique layer names, references that resolve, no cycles or forward
 * references between frameworks, C3-consistent framework orders, one runtime per layer
 * and platforms every base provides.
 */
import { SpecError } from "../errors.js";
import { C3CycleError, C3InconsistencyError, linearize } from "../graph/c3.js";
import { quote } from "./fields.js";
import type { ApplicationDraft, UpperDraft } from "./layers.js";
import { layerNameFor } from "./names.js";
import { type PlatformBase, platformsOnBases } from "./platforms.js";
import type { ApplicationSpec, FrameworkSpec, RuntimeSpec } from "./types.js";

/**
 * Longest chain of frameworks building on one another. Real stacks use a handful; the
 * C3 checks grow much faster than the chain, so a hostile spec with hundreds would hang.
 */
export const MAX_FRAMEWORK_DEPTH = 32;

interface Declared {
  layerName: string;
  table: string;
}

/** Layer names are unique across the whole stack: runtime `framework-web` clashes with framework `web`. */
export function checkUniqueLayerNames(file: string, layers: readonly Declared[]): void {
  const seen = new Map<string, Declared>();
  for (const layer of layers) {
    const previous = seen.get(layer.layerName);
    if (previous) {
      throw new SpecError(
        { file, layer: layer.layerName, key: "name" },
        `duplicate layer name: both ${previous.table} and ${layer.table} define layer ${layer.layerName}; layer names must be unique across the stack`,
      );
    }
    seen.set(layer.layerName, layer);
  }
}

/** Resolves frameworks (in file order) then applications against the declared layers. */
export function resolveReferences(
  runtimes: readonly RuntimeSpec[],
  frameworkDrafts: readonly UpperDraft[],
  applicationDrafts: readonly ApplicationDraft[],
): { frameworks: FrameworkSpec[]; applications: ApplicationSpec[] } {
  const runtimeByName = new Map(runtimes.map((runtime) => [runtime.name, runtime]));
  const draftByName = new Map(frameworkDrafts.map((draft) => [draft.name, draft]));

  for (const draft of [...frameworkDrafts, ...applicationDrafts]) {
    checkKnownReferences(draft, runtimeByName, draftByName);
  }
  const basesOf = (name: string): readonly string[] => draftByName.get(name)?.frameworks ?? [];
  checkFrameworkDepth(frameworkDrafts, basesOf);
  for (const draft of frameworkDrafts) checkNoCycle(draft, basesOf);
  for (const draft of frameworkDrafts) checkNoForwardReference(draft, draftByName);

  const resolved = new Map<string, FrameworkSpec>();
  const resolveUpper = (draft: UpperDraft) => {
    const frameworkOrder = linearizeFrameworks(draft, basesOf);
    const runtime = runtimeOf(draft, resolved);
    const bases: PlatformBase[] = [
      ...frameworkOrder.map((name) => resolved.get(name) as FrameworkSpec),
      runtimeByName.get(runtime) as RuntimeSpec,
    ];
    return {
      name: draft.name,
      layerName: draft.layerName,
      requirements: draft.requirements,
      versioned: draft.versioned,
      platforms: platformsOnBases(draft.reader, draft.platforms, bases),
      allowScripts: draft.allowScripts,
      runtime,
      frameworks: draft.frameworks,
      frameworkOrder,
    };
  };

  const frameworks = frameworkDrafts.map((draft) => {
    const framework: FrameworkSpec = { kind: "framework", ...resolveUpper(draft) };
    resolved.set(draft.name, framework);
    return framework;
  });
  const applications = applicationDrafts.map(
    (draft): ApplicationSpec => ({
      kind: "application",
      ...resolveUpper(draft),
      launchModule: draft.launchModule,
      supportModules: draft.supportModules,
    }),
  );
  return { frameworks, applications };
}

function checkKnownReferences(
  draft: UpperDraft,
  runtimeByName: ReadonlyMap<string, RuntimeSpec>,
  draftByName: ReadonlyMap<string, UpperDraft>,
): void {
  const { reader } = draft;
  if (draft.runtime !== undefined && !runtimeByName.has(draft.runtime)) {
    reader.fail(
      "runtime",
      `unknown runtime ${quote(draft.runtime)}; declared runtimes: ${[...runtimeByName.keys()].join(", ")}`,
    );
  }
  draft.frameworks.forEach((name, index) => {
    const key = `frameworks[${index}]`;
    if (!draftByName.has(name)) {
      const declared = [...draftByName.keys()];
      const hint =
        name.startsWith("framework-") && draftByName.has(name.slice(10))
          ? ` (use the framework's name ${quote(name.slice(10))}, not its layer name)`
          : "";
      reader.fail(
        key,
        `unknown framework ${quote(name)}${hint}; declared frameworks: ${declared.length > 0 ? declared.join(", ") : "none"}`,
      );
    }
    const first = draft.frameworks.indexOf(name);
    if (first !== index) {
      reader.fail(
        key,
        `framework ${quote(name)} is listed twice (frameworks[${first}] and ${key})`,
      );
    }
  });
}

/** Fails on the first framework (in file order) building on too long a chain of frameworks. */
function checkFrameworkDepth(
  drafts: readonly UpperDraft[],
  basesOf: (name: string) => readonly string[],
): void {
  const depths = new Map<string, number>();
  const visiting = new Set<string>();
  // Frameworks below `name`, longest path; a cycle counts as nothing here (checkNoCycle reports it).
  const depthOf = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    let depth = 0;
    for (const base of basesOf(name)) {
      depth = Math.max(depth, 1 + depthOf(base));
      if (depth > MAX_FRAMEWORK_DEPTH) break;
    }
    visiting.delete(name);
    depths.set(name, depth);
    return depth;
  };
  for (const draft of drafts) {
    // Bottom-up in file order keeps the recursion shallow: bases are usually declared first.
    const depth = depthOf(draft.name);
    if (depth > MAX_FRAMEWORK_DEPTH) {
      draft.reader.fail(
        "frameworks",
        `builds on a chain of more than ${MAX_FRAMEWORK_DEPTH} frameworks, one on top of another; at most ${MAX_FRAMEWORK_DEPTH} are supported`,
      );
    }
  }
}

function checkNoCycle(draft: UpperDraft, basesOf: (name: string) => readonly string[]): void {
  try {
    linearize(draft.name, basesOf);
  } catch (error) {
    if (!(error instanceof C3CycleError)) return; // other problems are reported later, per layer
    const cycle = (error.cycle as string[]).map((name) => layerNameFor("framework", name));
    draft.reader.fail("frameworks", `cycle: ${cycle.join(" -> ")}`);
  }
}

function checkNoForwardReference(
  draft: UpperDraft,
  draftByName: ReadonlyMap<string, UpperDraft>,
): void {
  draft.frameworks.forEach((name, index) => {
    const base = draftByName.get(name) as UpperDraft;
    if (base.index > draft.index) {
      draft.reader.fail(
        `frameworks[${index}]`,
        `forward reference: ${base.layerName} (${base.table}) is declared after ${draft.layerName} (${draft.table}); declare base frameworks before the frameworks that build on them`,
      );
    }
  });
}

function linearizeFrameworks(
  draft: UpperDraft,
  basesOf: (name: string) => readonly string[],
): string[] {
  // An application is not a framework: linearise its declared list as a nameless node.
  const start = draft.kind === "application" ? undefined : draft.name;
  const basesOfNode = (node: string | undefined) =>
    node === undefined ? draft.frameworks : basesOf(node);
  try {
    return linearize<string | undefined>(start, basesOfNode) as string[];
  } catch (error) {
    if (error instanceof C3InconsistencyError) {
      const heads = (error.heads as string[]).map((name) => layerNameFor("framework", name));
      draft.reader.fail(
        "frameworks",
        `inconsistent framework order: no C3 linearisation can order ${heads.join(", ")}; list frameworks before the frameworks they build on`,
      );
    }
    // Duplicates and cycles were reported before linearising; anything else is a bug.
    throw error;
  }
}

/** The layer's runtime: explicit or inherited, and the same for all frameworks it builds on. */
function runtimeOf(draft: UpperDraft, resolved: ReadonlyMap<string, FrameworkSpec>): string {
  const users = new Map<string, string[]>();
  for (const name of draft.frameworks) {
    const base = resolved.get(name) as FrameworkSpec;
    users.set(base.runtime, [...(users.get(base.runtime) ?? []), base.layerName]);
  }
  const describe = () =>
    [...users]
      .map(
        ([runtime, layers]) =>
          `${layers.join(", ")} ${layers.length === 1 ? "uses" : "use"} ${runtime}`,
      )
      .join("; ");
  if (users.size > 1) {
    draft.reader.fail(
      "frameworks",
      `runtimes that disagree: ${describe()}; the frameworks a layer builds on must share one runtime`,
    );
  }
  const inherited = [...users.keys()][0];
  if (draft.runtime !== undefined && inherited !== undefined && draft.runtime !== inherited) {
    draft.reader.fail(
      "runtime",
      `runtimes that disagree: runtime = ${quote(draft.runtime)} but ${describe()}; drop \`runtime\` or make them match`,
    );
  }
  return (draft.runtime ?? inherited) as string;
}
