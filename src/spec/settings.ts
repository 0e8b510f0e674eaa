/** The optional `[settings]` table. */
import { TomlDate } from "smol-toml";
import { describeValue, quote, TableReader } from "./fields.js";
import type { TomlTable } from "./toml.js";
import type { RuntimeSource, StackSettings } from "./types.js";

export const SETTINGS_KEYS = ["exclude_newer", "runtime_source", "runtime_mirror"] as const;
const RUNTIME_SOURCES: readonly RuntimeSource[] = ["npm", "nodejs-dist"];

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
const EXPECTED_INSTANT =
  "expected an offset date-time (2025-06-01T00:00:00Z) or an RFC 3339 string with a timezone";

export function readSettings(table: TomlTable, file: string): StackSettings {
  const reader = new TableReader(table, file, "settings");
  reader.checkKeys(SETTINGS_KEYS);
  const settings: StackSettings = { runtimeSource: readRuntimeSource(reader) };
  const excludeNewer = readExcludeNewer(reader);
  if (excludeNewer) settings.excludeNewer = excludeNewer;
  const mirror = readMirror(reader);
  if (mirror) settings.runtimeMirror = mirror;
  return settings;
}

function readExcludeNewer(reader: TableReader): Date | undefined {
  const value = reader.table.exclude_newer;
  if (value === undefined) return undefined;
  if (value instanceof TomlDate) {
    // Local dates and times have no timezone: they would mean different instants per machine.
    if (!value.isDateTime() || value.isLocal()) {
      reader.fail(
        "exclude_newer",
        `${EXPECTED_INSTANT}, got a local date/time without a timezone (${value.toISOString()})`,
      );
    }
    return new Date(value.getTime());
  }
  if (typeof value !== "string") {
    reader.fail("exclude_newer", `${EXPECTED_INSTANT}, got ${describeValue(value)}`);
  }
  const instant = parseRfc3339(value);
  if (!instant) reader.fail("exclude_newer", `${EXPECTED_INSTANT}, got ${quote(value)}`);
  return instant;
}

function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  // Date.parse rolls 2025-02-30 over to March; reject out-of-range fields instead.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid) return undefined;
  const instant = new Date(text.replace(" ", "T"));
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

function readRuntimeSource(reader: TableReader): RuntimeSource {
  const value = reader.string("runtime_source");
  if (value === undefined) return "npm";
  if (!(RUNTIME_SOURCES as readonly string[]).includes(value)) {
    reader.fail(
      "runtime_source",
      `expected one of ${RUNTIME_SOURCES.map((s) => `"${s}"`).join(", ")}, got ${quote(value)}`,
    );
  }
  return value as RuntimeSource;
}

function readMirror(reader: TableReader): string | undefined {
  const value = reader.string("runtime_mirror");
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    reader.fail("runtime_mirror", `expected an http:// or https:// URL, got ${quote(value)}`);
  }
  return value;
}
