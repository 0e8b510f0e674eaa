import { describe, expect, test } from "vitest";
import { runScheduled, type ScheduledTask } from "../../../src/build/schedule.js";

/** Tasks that record when they start and end, finishing when the test releases them. */
function recorder() {
  const events: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const task = (key: string, dependsOn: string[] = [], fail = false): ScheduledTask<string> => ({
    key,
    dependsOn,
    run: async () => {
      events.push(`start ${key}`);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      // Let every other ready task start before this one ends.
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      events.push(`end ${key}`);
      if (fail) throw new Error(`${key} failed`);
    },
  });
  return { events, task, maxRunning: () => maxRunning };
}

describe("runScheduled", () => {
  test("a task starts only after every task it depends on has ended", async () => {
    const { events, task } = recorder();
    await runScheduled([
      task("runtime"),
      task("framework", ["runtime"]),
      task("app-a", ["framework", "runtime"]),
      task("app-b", ["runtime"]),
    ]);
    const at = (event: string) => events.indexOf(event);
    expect(at("start framework")).toBeGreaterThan(at("end runtime"));
    expect(at("start app-b")).toBeGreaterThan(at("end runtime"));
    expect(at("start app-a")).toBeGreaterThan(at("end framework"));
    expect(events.filter((e) => e.startsWith("end"))).toHaveLength(4);
  });

  test("independent tasks run in parallel, never more than the limit at once", async () => {
    const { task, maxRunning, events } = recorder();
    await runScheduled([task("a"), task("b"), task("c"), task("d")], 2);
    expect(maxRunning()).toBe(2);
    expect(events.slice(0, 2)).toEqual(["start a", "start b"]);
  });

  test("with a limit of one, the first ready task in list order runs next", async () => {
    const { task, events } = recorder();
    await runScheduled([task("b", ["a"]), task("a"), task("c")], 1);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  test("dependencies outside the task list count as done", async () => {
    const { task, events } = recorder();
    await runScheduled([task("app", ["already-built"])]);
    expect(events).toEqual(["start app", "end app"]);
  });

  test("a failure stops new tasks, lets running ones end and is thrown", async () => {
    const { task, events } = recorder();
    const run = runScheduled(
      [task("a", [], true), task("b"), task("after-a", ["a"]), task("c")],
      2,
    );
    await expect(run).rejects.toThrow("a failed");
    expect(events).toContain("end b");
    expect(events).not.toContain("start after-a");
    expect(events).not.toContain("start c");
  });

  test("tasks waiting on each other are reported instead of hanging", async () => {
    const { task } = recorder();
    await expect(runScheduled([task("x", ["y"]), task("y", ["x"])])).rejects.toThrow(
      "tasks wait on each other: x, y",
    );
  });
});
