/**
 * `--offline` against the fake registry: with a warm cache a build publishes without a single
 * request; with a cold cache it names the first missing package (name@version) and writes no
 * layer.
 */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import cacache from "cacache";
import { afterEach, expect, test } from "vitest";
import {
  FAKE_NODE_VERSION,
  type FakeRegistry,
  fakeStackPackages,
  hostNodePackage,
  startFakeRegistry,
  writeFakeStack,
} from "../helpers/fake-registry.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir("envstacks-offline-");
let registry: FakeRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

async function lockedStack() {
  registry = await startFakeRegistry(fakeStackPackages());
  const stack = await writeFakeStack(tempDir(), registry, ["fetch-retries=0"]);
  const lock = await stack.run(["lock", "envstacks.toml"]);
  expect(lock.code).toBe(0);
  return { registry, stack };
}

const layersIn = async (dir: string) =>
  (await readdir(dir).catch(() => [])).filter((name) => !name.startsWith("."));

test("with a warm cache, build --publish --offline sends no request to the registry", async () => {
  const { registry, stack } = await lockedStack();
  const warm = await stack.run(["build", "envstacks.toml"]);
  expect(warm.code).toBe(0);
  await rm(path.join(stack.specDir, "_build"), { recursive: true });
  const before = registry.requests.length;

  const run = await stack.run(["build", "--publish", "--offline", "envstacks.toml", "out"]);

  expect(run.stderr).not.toContain("error");
  expect(run.code).toBe(0);
  expect(registry.requests.length).toBe(before);
  expect((await readdir(path.join(stack.specDir, "out"))).sort()).toEqual([
    "__envstacks__",
    "app-hello.tar.xz",
    "framework-base.tar.xz",
    "node-fake.tar.xz",
  ]);
});

test("with a cold cache, it names the runtime archive it lacks and writes no layer", async () => {
  const { registry, stack } = await lockedStack();
  // Locking reads packuments only: no tarball or Node.js archive is cached yet.
  const before = registry.requests.length;

  const run = await stack.run(["build", "--publish", "--offline", "envstacks.toml", "out"]);

  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(
    new RegExp(
      `^envstacks: error: ${hostNodePackage()}@${FAKE_NODE_VERSION} is not in the cache at .* and downloads are off \\(--offline\\)$`,
      "m",
    ),
  );
  expect(registry.requests.length).toBe(before);
  expect(await layersIn(path.join(stack.specDir, "_build"))).toEqual([]);
  expect(await layersIn(path.join(stack.specDir, "out"))).toEqual([]);
});

test("with the packages missing, it names the first one in lock order", async () => {
  const { registry, stack } = await lockedStack();
  const warm = await stack.run(["build", "envstacks.toml"]);
  expect(warm.code).toBe(0);
  for (const name of ["alpha", "beta"]) {
    const integrity = registry.integrity(name, "1.0.0");
    await cacache.rm.entry(
      path.join(stack.cacheDir, "_cacache"),
      `envstacks:package-tarball:${integrity}`,
    );
    await cacache.rm.content(path.join(stack.cacheDir, "_cacache"), integrity);
  }
  await rm(path.join(stack.specDir, "_build"), { recursive: true });

  const run = await stack.run(["build", "--offline", "envstacks.toml"]);

  expect(run.code).toBe(1);
  expect(run.stderr).toContain("envstacks: error: alpha@1.0.0 is not in the cache");
  expect(await layersIn(path.join(stack.specDir, "_build"))).not.toContain("framework-base");
  expect(await layersIn(path.join(stack.specDir, "_build"))).not.toContain("app-hello");
});
