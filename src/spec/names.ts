/** Layer names: what a spec may call a layer, and the layer name each kind derives from it. */
import type { LayerKind } from "./types.js";

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
export const MAX_NAME_LENGTH = 100;

/** Why `name` is not a valid spec name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  const expected = `expected a name matching ${NAME_PATTERN.source} (lowercase letters, digits, ".", "_", "-"; at most ${MAX_NAME_LENGTH} characters)`;
  if (name.length > MAX_NAME_LENGTH) return `${expected}, got ${name.length} characters`;
  if (!NAME_PATTERN.test(name)) return `${expected}, got ${JSON.stringify(name)}`;
  // Layer names become directory and archive names: ".." must never appear in them.
  if (name.includes("..")) return `${expected} without "..", got ${JSON.stringify(name)}`;
  return undefined;
}

/** The layer name: a runtime keeps its name; `framework-<name>`; `app-<name>`. */
export function layerNameFor(kind: LayerKind, name: string): string {
  switch (kind) {
    case "runtime":
      return name;
    case "framework":
      return `framework-${name}`;
    case "application":
      return `app-${name}`;
  }
}

/**
 * npm's rules for new package names (validate-npm-package-name): lowercase, URL-safe,
 * none of ~'!()*, not starting with "." or "_", optionally scoped, at most 214 characters.
 */
const NPM_NAME_PATTERN = /^(?:@[a-z0-9-][a-z0-9._-]*\/)?[a-z0-9-][a-z0-9._-]*$/;

export function isValidNpmPackageName(name: string): boolean {
  return name.length <= 214 && NPM_NAME_PATTERN.test(name);
}
