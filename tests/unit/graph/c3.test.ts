import { describe, expect, test } from "vitest";
import {
  C3CycleError,
  C3DuplicateBaseError,
  C3InconsistencyError,
  linearize,
} from "../../../src/graph/c3.js";

/** Bases from a plain map; unknown nodes have none. */
function basesFrom(graph: Record<string, string[]>) {
  return (node: string) => graph[node] ?? [];
}

describe("linearize", () => {
  test("a node without bases linearises to nothing", () => {
    expect(linearize("a", basesFrom({}))).toEqual([]);
  });

  test("a chain is ordered nearest first, excluding the start", () => {
    expect(linearize("c", basesFrom({ c: ["b"], b: ["a"] }))).toEqual(["b", "a"]);
  });

  test("declared order is kept and shared bases come after everything built on them", () => {
    // The classic diamond: d(b, c), b(a), c(a).
    const graph = { d: ["b", "c"], b: ["a"], c: ["a"] };
    expect(linearize("d", basesFrom(graph))).toEqual(["b", "c", "a"]);
  });

  test("matches the textbook C3 example (Wikipedia's O/A..E/K1..K3/Z)", () => {
    const graph = {
      A: ["O"],
      B: ["O"],
      C: ["O"],
      D: ["O"],
      E: ["O"],
      K1: ["A", "B", "C"],
      K2: ["D", "B", "E"],
      K3: ["D", "A"],
      Z: ["K1", "K2", "K3"],
    };
    expect(linearize("Z", basesFrom(graph))).toEqual([
      "K1",
      "K2",
      "K3",
      "D",
      "A",
      "B",
      "C",
      "E",
      "O",
    ]);
  });

  test("a base listed before the node that builds on it is inconsistent, naming the heads", () => {
    // app(a, b) where b builds on a: a must come both before and after b.
    const error = catchError(() => linearize("app", basesFrom({ app: ["a", "b"], b: ["a"] })));
    expect(error).toBeInstanceOf(C3InconsistencyError);
    const inconsistency = error as C3InconsistencyError;
    expect(inconsistency.node).toBe("app");
    expect([...inconsistency.heads].sort()).toEqual(["a", "b"]);
    expect(inconsistency.message).toContain("no consistent order for a, b");
  });

  test("base lists that order two nodes both ways are inconsistent", () => {
    const graph = { x: ["a", "b"], y: ["b", "a"], z: ["x", "y"] };
    const error = catchError(() => linearize("z", basesFrom(graph)));
    expect(error).toBeInstanceOf(C3InconsistencyError);
    expect((error as C3InconsistencyError).node).toBe("z");
  });

  test("a cycle is reported with its path", () => {
    const error = catchError(() => linearize("a", basesFrom({ a: ["b"], b: ["c"], c: ["a"] })));
    expect(error).toBeInstanceOf(C3CycleError);
    expect((error as C3CycleError).cycle).toEqual(["a", "b", "c", "a"]);
    expect((error as Error).message).toBe("cycle: a -> b -> c -> a");
  });

  test("a node that is its own base is a cycle", () => {
    const error = catchError(() => linearize("a", basesFrom({ a: ["a"] })));
    expect((error as C3CycleError).cycle).toEqual(["a", "a"]);
  });

  test("a base listed twice is reported as a duplicate", () => {
    const error = catchError(() => linearize("a", basesFrom({ a: ["b", "b"] })));
    expect(error).toBeInstanceOf(C3DuplicateBaseError);
    expect((error as C3DuplicateBaseError).base).toBe("b");
  });

  test("works with any node type and asks for each node's bases once", () => {
    const calls: number[] = [];
    const order = linearize(4, (n: number) => {
      calls.push(n);
      return n === 4 ? [2, 3] : n > 1 ? [1] : [];
    });
    expect(order).toEqual([2, 3, 1]);
    expect(calls.sort()).toEqual([1, 2, 3, 4]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
