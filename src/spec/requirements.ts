/** npm registry requirements (`name@range`) and package-name lists, checked with npm-package-arg. */
import npa from "npm-package-arg";
import { printable, quote, type TableReader } from "./fields.js";
import { isValidNpmPackageName } from "./names.js";
import type { Requirement } from "./types.js";

const REGISTRY_TYPES = new Set(["version", "range", "tag"]);
/** npm dist-tags in practice; anything else (e.g. `1.2.3.4`) is a malformed version. */
const DIST_TAG_PATTERN = /^[A-Za-z][A-Za-z0-9._-]*$/;
const EXPECTED = "expected a registry spec like name@range (e.g. ms@^2.1.0, @scope/pkg@1.2.3)";

/** Reads `key` (default `requirements`) as a list of registry requirements, one per package. */
export function readRequirements(reader: TableReader, key = "requirements"): Requirement[] {
  const raws = reader.stringArray(key) ?? [];
  const byName = new Map<string, number>();
  return raws.map((raw, index) => {
    const itemKey = `${key}[${index}]`;
    const requirement = parseRequirement(raw, (problem) => reader.fail(itemKey, problem));
    const previous = byName.get(requirement.name);
    if (previous !== undefined) {
      reader.fail(
        itemKey,
        `package ${requirement.name} is required twice in one layer (${key}[${previous}] and ${itemKey}); merge them into one requirement`,
      );
    }
    byName.set(requirement.name, index);
    return requirement;
  });
}

export function parseRequirement(raw: string, fail: (problem: string) => never): Requirement {
  let parsed: npa.Result;
  try {
    parsed = npa(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(`${EXPECTED}, got ${quote(raw)} (${printable(reason)})`);
  }
  if (!REGISTRY_TYPES.has(parsed.type)) {
    return fail(`${EXPECTED}, got ${quote(raw)} (a ${parsed.type} spec)`);
  }
  const name = parsed.name;
  if (!name || !isValidNpmPackageName(name)) {
    return fail(`${EXPECTED}, got ${quote(raw)} (not a valid npm package name)`);
  }
  const range = (parsed.fetchSpec ?? parsed.rawSpec).trim() || "*";
  if (parsed.type === "tag" && !DIST_TAG_PATTERN.test(range)) {
    return fail(
      `${EXPECTED}, got ${quote(raw)} (${quote(range)} is neither a version range nor a dist-tag)`,
    );
  }
  return { raw, name, range, type: parsed.type as Requirement["type"] };
}

/** Reads `key` as a list of distinct npm package names (e.g. `allow_scripts`). */
export function readPackageNames(reader: TableReader, key: string): string[] {
  const names = reader.stringArray(key) ?? [];
  names.forEach((name, index) => {
    if (!isValidNpmPackageName(name)) {
      reader.fail(
        `${key}[${index}]`,
        `expected an npm package name (like esbuild or @scope/pkg), got ${quote(name)}`,
      );
    }
    const first = names.indexOf(name);
    if (first !== index) {
      reader.fail(
        `${key}[${index}]`,
        `package ${name} is listed twice (${key}[${first}] and ${key}[${index}])`,
      );
    }
  });
  return names;
}
