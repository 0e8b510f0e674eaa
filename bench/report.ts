/**
 * The bench's figures and how they are shown: pure functions, unit-tested without timing
 * anything (tests/unit/bench/).
 */

export type Unit = "seconds" | "bytes";

/** One side of a comparison: every round's value and their median. */
export interface Sample {
  /** What ran, e.g. `envstacks build` or `npm ci`. */
  tool: string;
  runs: number[];
  median: number;
}

/** One row of the table: envstacks against the baseline a user would run instead. */
export interface Measure {
  stack: string;
  /** Short name, e.g. `build (warm cache)`. */
  name: string;
  unit: Unit;
  envstacks: Sample;
  baseline: Sample;
  /** envstacks / baseline medians: below 1 means envstacks is faster or smaller. */
  ratio: number;
  /** What the figure means, in a sentence (kept in the JSON). */
  note?: string;
}

export interface MachineInfo {
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  /** 1-minute load average when the bench started and ended: other work makes timings noisy. */
  loadBefore: number;
  loadAfter: number;
}

export interface BenchResults {
  date: string;
  rounds: number;
  machine: MachineInfo;
  measures: Measure[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function sample(tool: string, runs: readonly number[]): Sample {
  return { tool, runs: [...runs], median: median(runs) };
}

export function measure(
  stack: string,
  name: string,
  unit: Unit,
  envstacks: Sample,
  baseline: Sample,
  note?: string,
): Measure {
  return {
    stack,
    name,
    unit,
    envstacks,
    baseline,
    ratio: ratio(envstacks.median, baseline.median),
    ...(note !== undefined && { note }),
  };
}

/** envstacks / baseline; Infinity when the baseline is 0 and envstacks is not. */
export function ratio(ours: number, theirs: number): number {
  if (theirs === 0) return ours === 0 ? 1 : Number.POSITIVE_INFINITY;
  return ours / theirs;
}

export function formatValue(value: number, unit: Unit): string {
  if (unit === "seconds") return value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`;
  const units = ["B", "KiB", "MiB", "GiB"];
  let scaled = value;
  let index = 0;
  while (scaled >= 1024 && index < units.length - 1) {
    scaled /= 1024;
    index++;
  }
  return index === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[index]}`;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "∞";
}

/** A Markdown table (also readable in a terminal): stack, measure, envstacks, baseline, ratio. */
export function formatTable(measures: readonly Measure[]): string {
  const header = ["stack", "measure", "envstacks", "baseline", "ratio"];
  const rows = measures.map((m) => [
    m.stack,
    m.name,
    formatValue(m.envstacks.median, m.unit),
    `${formatValue(m.baseline.median, m.unit)} (${m.baseline.tool})`,
    formatRatio(m.ratio),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return `${[line(header), rule, ...rows.map(line)].join("\n")}\n`;
}

/** The JSON written to bench/results/latest.json, with a stable key order. */
export function resultsJson(results: BenchResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
