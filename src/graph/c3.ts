/**
 * C3 linearisation (the method resolution order of Python and Dylan), used to order the
 * frameworks a layer builds on: each node comes before its bases, declared order is kept,
 * and every base list's order is respected — or the order is rejected as inconsistent.
 */

/** Returns the declared bases of a node, nearest first. */
export type BasesOf<T> = (node: T) => readonly T[];

/** No order satisfies every base list (e.g. `[a, b]` where `b` builds on `a`). */
export class C3InconsistencyError<T = string> extends Error {
  override name = "C3InconsistencyError";

  constructor(
    /** The node whose linearisation failed (the innermost one, not the caller's start). */
    readonly node: T,
    /** The remaining heads of the merge: none of them can come next. */
    readonly heads: readonly T[],
  ) {
    super(
      `cannot linearize ${String(node)}: no consistent order for ${heads.map(String).join(", ")}`,
    );
  }
}

/** The bases form a cycle: `cycle` starts and ends with the same node. */
export class C3CycleError<T = string> extends Error {
  override name = "C3CycleError";

  constructor(readonly cycle: readonly T[]) {
    super(`cycle: ${cycle.map(String).join(" -> ")}`);
  }
}

/** A base list names the same base twice. */
export class C3DuplicateBaseError<T = string> extends Error {
  override name = "C3DuplicateBaseError";

  constructor(
    readonly node: T,
    readonly base: T,
  ) {
    super(`${String(node)} lists ${String(base)} more than once`);
  }
}

export type C3Error<T = string> =
  | C3InconsistencyError<T>
  | C3CycleError<T>
  | C3DuplicateBaseError<T>;

/**
 * The C3 linearisation of `start`'s bases: nearest first, `start` itself excluded.
 * Nodes are compared with `===`. Pure: `basesOf` is called at most once per node.
 */
export function linearize<T>(start: T, basesOf: BasesOf<T>): T[] {
  const done = new Map<T, readonly T[]>();
  const inProgress: T[] = [];

  // Returns the full linearisation of `node`, itself first.
  const visit = (node: T): readonly T[] => {
    const known = done.get(node);
    if (known) return known;
    const cycleStart = inProgress.indexOf(node);
    if (cycleStart !== -1) throw new C3CycleError([...inProgress.slice(cycleStart), node]);

    inProgress.push(node);
    const bases = basesOf(node);
    const seen = new Set<T>();
    for (const base of bases) {
      if (seen.has(base)) throw new C3DuplicateBaseError(node, base);
      seen.add(base);
    }
    const merged = merge(
      node,
      bases.map((base) => [...visit(base)]),
      [...bases],
    );
    inProgress.pop();

    const result = [node, ...merged];
    done.set(node, result);
    return result;
  };

  return visit(start).slice(1);
}

function merge<T>(node: T, linearizations: T[][], bases: T[]): T[] {
  const sequences = [...linearizations, bases].filter((sequence) => sequence.length > 0);
  const result: T[] = [];
  while (sequences.length > 0) {
    const inAnyTail = (candidate: T) => sequences.some((s) => s.indexOf(candidate) > 0);
    const heads = sequences.map((sequence) => sequence[0] as T);
    const nextIndex = heads.findIndex((head) => !inAnyTail(head));
    if (nextIndex === -1) throw new C3InconsistencyError(node, [...new Set(heads)]);
    const next = heads[nextIndex] as T;
    result.push(next);
    for (let i = sequences.length - 1; i >= 0; i--) {
      const sequence = sequences[i] as T[];
      if (sequence[0] === next) sequence.shift();
      if (sequence.length === 0) sequences.splice(i, 1);
    }
  }
  return result;
}
