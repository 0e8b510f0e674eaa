import { describe, expect, test } from "vitest";
import {
  formatRatio,
  formatTable,
  formatValue,
  measure,
  median,
  ratio,
  resultsJson,
  sample,
} from "../../../bench/report.js";

describe("bench figures", () => {
  test("median of odd and even counts, whatever the order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  test("ratio is envstacks over the baseline", () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(0, 0)).toBe(1);
    expect(ratio(2, 0)).toBe(Number.POSITIVE_INFINITY);
    const m = measure(
      "sample",
      "build",
      "seconds",
      sample("envstacks", [3, 1, 2]),
      sample("npm ci", [4]),
    );
    expect(m.ratio).toBe(0.5);
  });

  test("values in seconds and binary units, ratios with ×", () => {
    expect(formatValue(0.4567, "seconds")).toBe("0.46 s");
    expect(formatValue(123.45, "seconds")).toBe("123.5 s");
    expect(formatValue(512, "bytes")).toBe("512 B");
    expect(formatValue(3 * 1024 * 1024, "bytes")).toBe("3.0 MiB");
    expect(formatRatio(1.234)).toBe("1.23×");
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe("∞");
  });

  test("the table has one aligned row per measure, baseline tool named", () => {
    const table = formatTable([
      measure(
        "sample",
        "no-op build --publish",
        "seconds",
        sample("envstacks", [0.5]),
        sample("node -e 0", [0.05]),
      ),
      measure(
        "large",
        "deployed size, layered",
        "bytes",
        sample("layers", [1024]),
        sample("flat", [4096]),
      ),
    ]);
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| stack +\| measure +\| envstacks +\| baseline +\| ratio +\|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+\|-+\|-+\|-+\|$/);
    expect(lines[2]).toContain("| 0.50 s ");
    expect(lines[2]).toContain("0.05 s (node -e 0)");
    expect(lines[2]).toContain("10.00×");
    expect(lines[3]).toContain("1.0 KiB");
    expect(lines[3]).toContain("0.25×");
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  test("the JSON keeps every run, the medians and the machine", () => {
    const results = {
      date: "2026-01-01T00:00:00.000Z",
      rounds: 2,
      machine: {
        platform: "linux-x64",
        cpus: 2,
        cpuModel: "cpu",
        memoryBytes: 1,
        node: "v20.20.0",
        loadBefore: 1,
        loadAfter: 2,
      },
      measures: [
        measure(
          "sample",
          "lock",
          "seconds",
          sample("envstacks lock", [2, 4]),
          sample("npm", [3, 3]),
          "why",
        ),
      ],
    };
    const parsed = JSON.parse(resultsJson(results));
    expect(parsed.machine.cpus).toBe(2);
    expect(parsed.measures[0]).toEqual({
      stack: "sample",
      name: "lock",
      unit: "seconds",
      envstacks: { tool: "envstacks lock", runs: [2, 4], median: 3 },
      baseline: { tool: "npm", runs: [3, 3], median: 3 },
      ratio: 1,
      note: "why",
    });
  });
});
