/**
 * Runs tasks that depend on one another with bounded parallelism: a task starts once every
 * task it depends on has finished, and at most `concurrency` tasks run at once. Layers are
 * mostly I/O bound (extracting, copying), so independent layers overlap well.
 */

export interface ScheduledTask<K> {
  key: K;
  /** Keys of tasks that must finish first; keys not in the task list are ignored. */
  dependsOn: readonly K[];
  run(): Promise<void>;
}

/** Parallel layer builds when the caller does not say otherwise (two cores are common in CI). */
export const DEFAULT_CONCURRENCY = 2;

/**
 * Starts tasks in list order as their dependencies finish. When a task fails, running tasks
 * are awaited, nothing new starts and the first error is thrown.
 */
export async function runScheduled<K>(
  tasks: readonly ScheduledTask<K>[],
  concurrency: number = DEFAULT_CONCURRENCY,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const known = new Set(tasks.map((t) => t.key));
  const pending = [...tasks];
  const done = new Set<K>();
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const ready = (task: ScheduledTask<K>) =>
    task.dependsOn.every((key) => done.has(key) || !known.has(key));

  while (failure === undefined && (pending.length > 0 || running.size > 0)) {
    while (running.size < concurrency) {
      const index = pending.findIndex(ready);
      if (index < 0) break;
      const [task] = pending.splice(index, 1);
      if (task === undefined) break;
      const promise: Promise<void> = task.run().then(
        () => {
          done.add(task.key);
          running.delete(promise);
        },
        (error: unknown) => {
          failure ??= { error };
          running.delete(promise);
        },
      );
      running.add(promise);
    }
    if (running.size === 0) {
      // Nothing runs and nothing can start: the remaining tasks wait on each other.
      throw new Error(`tasks wait on each other: ${pending.map((t) => String(t.key)).join(", ")}`);
    }
    await Promise.race(running);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure.error;
}
