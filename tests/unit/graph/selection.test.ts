import { describe, expect, test } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  type Operation,
  type Selection,
  type SelectionOptions,
  selectLayers,
} from "../../../src/graph/selection.js";
import { sampleGraph } from "./stack.js";

const ALL_OPS: Operation[] = ["lock", "build", "publish"];

function select(options: SelectionOptions, operations: Operation[] = ALL_OPS) {
  return summarize(selectLayers(sampleGraph(), options, operations));
}

/** `layerName: reason [ops]` per layer, as a user would read it in `status`. */
function summarize(selection: Selection): Record<string, string> {
  return Object.fromEntries(
    selection.layers.map((s) => [s.layer.layerName, `${s.reason} [${s.operations.join(" ")}]`]),
  );
}

describe("without --include", () => {
  test("every layer gets the requested operations", () => {
    expect(select({}, ["build", "publish"])).toEqual({
      "node-22": "selected [build publish]",
      "node-20": "selected [build publish]",
      "framework-base": "selected [build publish]",
      "framework-web": "selected [build publish]",
      "framework-ml": "selected [build publish]",
      "app-server": "selected [build publish]",
      "app-tool": "selected [build publish]",
      "app-trainer": "selected [build publish]",
    });
  });

  test("an empty include list selects every layer too", () => {
    const selection = selectLayers(sampleGraph(), { include: [] }, ["lock"]);
    expect(selection.layers.every((s) => s.reason === "selected")).toBe(true);
    expect(selection.unmatchedPatterns).toEqual([]);
  });

  test("operations come in pipeline order, once each", () => {
    const selection = selectLayers(sampleGraph(), {}, ["publish", "lock", "publish"]);
    expect(selection.layers[0]?.operations).toEqual(["lock", "publish"]);
  });
});

describe("--include", () => {
  test("an exact name selects that layer; its lower layers are used as they are", () => {
    expect(select({ include: ["app-tool"] }, ["build", "publish"])).toEqual({
      "node-22": "dependency []",
      "node-20": "not selected []",
      "framework-base": "not selected []",
      "framework-web": "not selected []",
      "framework-ml": "not selected []",
      "app-server": "not selected []",
      "app-tool": "selected [build publish]",
      "app-trainer": "not selected []",
    });
  });

  test("a glob selects every matching layer", () => {
    const result = select({ include: ["framework-*"] }, ["build"]);
    expect(result["framework-base"]).toBe("selected [build]");
    expect(result["framework-web"]).toBe("selected [build]");
    expect(result["framework-ml"]).toBe("selected [build]");
    expect(result["node-22"]).toBe("dependency []");
    expect(result["node-20"]).toBe("dependency []");
    expect(result["app-server"]).toBe("not selected []");
  });

  test("patterns match whole layer names, and several patterns add up", () => {
    const selection = selectLayers(
      sampleGraph(),
      { include: ["web", "node-2?", "app-{tool,trainer}"], allowMissing: true },
      ["build"],
    );
    expect(selection.unmatchedPatterns).toEqual(["web"]);
    const result = summarize(selection);
    expect(Object.entries(result).filter(([, v]) => v.startsWith("selected"))).toEqual([
      ["node-22", "selected [build]"],
      ["node-20", "selected [build]"],
      ["app-tool", "selected [build]"],
      ["app-trainer", "selected [build]"],
    ]);
  });

  test("a pattern that matches no layer is a usage error naming it", () => {
    const run = () => select({ include: ["app-*", "framework-nope"] });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/no layer matches --include pattern "framework-nope" \(layers: node-22,/);
  });

  test("every unmatched pattern is named", () => {
    expect(() => select({ include: ["nope-1", "app-tool", "nope-2"] })).toThrow(
      /no layer matches --include patterns "nope-1", "nope-2"/,
    );
  });

  test("with --allow-missing, unmatched patterns are reported and the rest still apply", () => {
    const selection = selectLayers(
      sampleGraph(),
      { include: ["nope", "app-tool"], allowMissing: true },
      ["build"],
    );
    expect(selection.unmatchedPatterns).toEqual(["nope"]);
    expect(summarize(selection)["app-tool"]).toBe("selected [build]");
  });

  test("with --allow-missing and nothing matched, no layer is selected", () => {
    const result = select({ include: ["nope"], allowMissing: true });
    expect(Object.values(result).every((v) => v === "not selected []")).toBe(true);
  });

  test("an empty pattern is a usage error", () => {
    expect(() => select({ include: [""] })).toThrow(UsageError);
  });
});

describe("--include-dependencies", () => {
  test("gives every lower layer of an included layer the same operations", () => {
    expect(select({ include: ["app-server"], includeDependencies: true }, ["build"])).toEqual({
      "node-22": "dependency [build]",
      "node-20": "not selected []",
      "framework-base": "dependency [build]",
      "framework-web": "dependency [build]",
      "framework-ml": "not selected []",
      "app-server": "selected [build]",
      "app-tool": "not selected []",
      "app-trainer": "not selected []",
    });
  });

  test("without it, the same lower layers are needed but not operated on", () => {
    const result = select({ include: ["app-server"] }, ["build"]);
    expect(result["framework-web"]).toBe("dependency []");
    expect(result["framework-base"]).toBe("dependency []");
    expect(result["node-22"]).toBe("dependency []");
  });
});

describe("layers built on an included layer", () => {
  test("are relocked when locking, and nothing more", () => {
    expect(select({ include: ["framework-base"] })).toEqual({
      "node-22": "dependency []",
      "node-20": "not selected []",
      "framework-base": "selected [lock build publish]",
      "framework-web": "derived [lock]",
      "framework-ml": "not selected []",
      "app-server": "derived [lock]",
      "app-tool": "not selected []",
      "app-trainer": "not selected []",
    });
  });

  test("are left alone when not locking", () => {
    const result = select({ include: ["framework-base"] }, ["build", "publish"]);
    expect(result["framework-web"]).toBe("not selected []");
    expect(result["app-server"]).toBe("not selected []");
  });

  test("a layer between two included layers is relocked rather than used as it is", () => {
    const result = select({ include: ["framework-base", "app-server"] }, ["lock"]);
    expect(result["framework-web"]).toBe("derived [lock]");
    const withDeps = select({
      include: ["framework-base", "app-server"],
      includeDependencies: true,
    });
    expect(withDeps["framework-web"]).toBe("dependency [lock build publish]");
  });
});
