/** Typed readers for the keys of one spec table; every failure is a SpecError naming the key. */
import { SpecError } from "../errors.js";
import type { TomlTable } from "./toml.js";

/**
 * Longest list a spec key may hold. Real stacks stay far below it; a hostile spec with
 * thousands of requirements would otherwise make the resolver run out of memory.
 */
export const MAX_LIST_LENGTH = 1000;

export function isTable(value: unknown): value is TomlTable {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/** A short, one-line description of a TOML value for "expected X, got Y" messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `a string (${quote(value)})`;
  if (typeof value === "number") {
    return Number.isInteger(value) ? `an integer (${value})` : `a float (${value})`;
  }
  if (typeof value === "bigint") return `an integer (${value})`;
  if (typeof value === "boolean") return `a boolean (${value})`;
  if (value instanceof Date) return `a date/time (${value.toISOString()})`;
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (isTable(value)) return "a table";
  return String(value);
}

/** JSON-quotes user text (escaping control characters) and shortens it for messages. */
export function quote(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}

/** Text from a library's message about user input, with control characters escaped (one safe line). */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** Keys are shown bare when plain, quoted otherwise (they may hold any character). */
export function showKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : quote(key);
}

export class TableReader {
  constructor(
    readonly table: TomlTable,
    /** The spec file as the user gave it. */
    readonly file: string,
    /** Layer name, `settings`, or `frameworks[2]` while the name is not known yet. */
    readonly layer: string,
  ) {}

  /** The same table, reported under another label (once the layer's name is known). */
  withLayer(layer: string): TableReader {
    return new TableReader(this.table, this.file, layer);
  }

  fail(key: string | undefined, problem: string): never {
    throw new SpecError({ file: this.file, layer: this.layer, key }, problem);
  }

  /** Rejects any key not in `allowed`, listing the allowed ones. */
  checkKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.table)) {
      if (!allowed.includes(key)) {
        this.fail(showKey(key), `unknown key; allowed keys are: ${allowed.join(", ")}`);
      }
    }
  }

  has(key: string): boolean {
    return this.table[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string") this.fail(key, `expected a string, got ${describeValue(value)}`);
    return value;
  }

  requiredString(key: string, what = "a string"): string {
    const value = this.string(key);
    if (value === undefined) this.fail(key, `missing required key: expected ${what}`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.table[key];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      this.fail(key, `expected a boolean (true or false), got ${describeValue(value)}`);
    }
    return value;
  }

  /** An array of strings; elements are checked one by one and reported as `key[i]`. */
  stringArray(key: string): string[] | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.fail(key, `expected an array of strings, got ${describeValue(value)}`);
    }
    if (value.length > MAX_LIST_LENGTH) {
      this.fail(key, `expected at most ${MAX_LIST_LENGTH} entries, got ${value.length}`);
    }
    return value.map((item: unknown, index) => {
      if (typeof item !== "string") {
        this.fail(`${key}[${index}]`, `expected a string, got ${describeValue(item)}`);
      }
      return item;
    });
  }
}
