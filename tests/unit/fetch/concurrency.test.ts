import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { mapConcurrent } from "../../../src/fetch/concurrency.js";

test("keeps item order and never runs more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await sleep(n * 3);
    running--;
    return n * 10;
  });
  expect(results).toEqual([50, 10, 40, 20, 30, 0]);
  expect(peak).toBe(2);
});

test("after a failure starts nothing new and rejects once the running work settled", async () => {
  const started: number[] = [];
  let settled = 0;
  const run = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
    started.push(n);
    await sleep(n === 0 ? 1 : 20);
    settled++;
    if (n === 0) throw new Error("item 0 failed");
    return n;
  });
  await expect(run).rejects.toThrow("item 0 failed");
  expect(started).toEqual([0, 1]);
  expect(settled).toBe(2);
});
