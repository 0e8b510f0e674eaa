/**
 * Registry faults against a loopback fake registry (the spec directory's `.npmrc` points at
 * it): transient errors are retried with backoff, persistent ones end in one message naming
 * the package and the fault, and bad bytes are never installed or published.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  type FakeRegistry,
  type FakeStack,
  fakeStackPackages,
  startFakeRegistry,
  writeFakeStack,
} from "../helpers/fake-registry.js";
import { useTempDir } from "../helpers/temp-dir.js";

/** Few, quick retries: a persistent fault ends in well under a second. */
const QUICK_RETRIES = [
  "fetch-retries=2",
  "fetch-retry-mintimeout=50",
  "fetch-retry-maxtimeout=100",
];

const tempDir = useTempDir("envstacks-registry-faults-");
let registry: FakeRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

async function setUp(npmrc: string[] = QUICK_RETRIES): Promise<[FakeRegistry, FakeStack]> {
  registry = await startFakeRegistry(fakeStackPackages());
  return [registry, await writeFakeStack(tempDir(), registry, npmrc)];
}

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("envstacks: error:"));
}

const requestsFor = (registry: FakeRegistry, urlPath: string) =>
  registry.requests.filter((r) => r.path === urlPath);

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).sort();
}

describe("while locking", () => {
  test("an HTTP 500 is retried after a backoff and the lock succeeds", async () => {
    // npm's retry settings left at their defaults: envstacks retries after about a second.
    const [registry, stack] = await setUp([]);
    registry.setFault(registry.packumentPath("alpha"), { kind: "status", status: 500, times: 1 });

    const run = await stack.run(["lock", "envstacks.toml"]);

    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    const tries = requestsFor(registry, registry.packumentPath("alpha"));
    expect(tries.length).toBe(2);
    const [first, second] = tries;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(500);
    expect(await entries(path.join(stack.specDir, "requirements"))).toEqual([
      "app-hello",
      "framework-base",
      "node-fake",
    ]);
  });

  test("a persistent HTTP 500 is one error naming the package and the fault, after bounded retries", async () => {
    const [registry, stack] = await setUp();
    registry.setFault(registry.packumentPath("alpha"), { kind: "status", status: 500 });

    const run = await stack.run(["lock", "envstacks.toml"]);

    expect(run.code).toBe(1);
    const errors = errorLines(run.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("framework-base");
    expect(errors[0]).toContain("alpha");
    expect(errors[0]).toContain("E500");
    expect(errors[0]).toContain(registry.host);
    // One try and two retries: never an endless loop.
    expect(requestsFor(registry, registry.packumentPath("alpha"))).toHaveLength(3);
    expect(await entries(path.join(stack.specDir, "requirements"))).toEqual(["node-fake"]);
  });

  test("a registry that never answers times out after npm's fetch-timeout", async () => {
    const [registry, stack] = await setUp(["fetch-timeout=300", "fetch-retries=0"]);
    registry.setFault(registry.packumentPath("alpha"), { kind: "hang" });

    const started = Date.now();
    const run = await stack.run(["lock", "envstacks.toml"]);

    expect(run.code).toBe(1);
    // npm's default timeout is 5 minutes: finishing this soon means ours was honoured.
    expect(Date.now() - started).toBeLessThan(10_000);
    const errors = errorLines(run.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("alpha");
    expect(errors[0]).toMatch(/time/i);
  });
});

describe("while building from a valid lock", () => {
  /** Locks cleanly, then applies the fault and runs `build --publish`. */
  async function buildWithFault(
    fault: (registry: FakeRegistry) => void,
  ): Promise<{ stack: FakeStack; errors: string[]; code: number }> {
    const [registry, stack] = await setUp();
    const lock = await stack.run(["lock", "envstacks.toml"]);
    expect(lock.code).toBe(0);
    fault(registry);
    const run = await stack.run(["build", "--publish", "envstacks.toml", "out"]);
    // Nothing built from the bad package, nothing published from it.
    const built = await entries(path.join(stack.specDir, "_build"));
    expect(built).not.toContain("framework-base");
    expect(built).not.toContain("app-hello");
    const published = await entries(path.join(stack.specDir, "out"));
    expect(published.filter((name) => /framework-base|app-hello/.test(name))).toEqual([]);
    return { stack, errors: errorLines(run.stderr), code: run.code };
  }

  test("a truncated tarball is refused, naming the package", async () => {
    const { errors, code } = await buildWithFault((registry) =>
      registry.setFault(registry.tarballPath("beta", "1.0.0"), { kind: "truncate" }),
    );
    expect(code).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("beta@1.0.0");
  });

  test("a tarball whose bytes do not match the packument's integrity is refused", async () => {
    const { errors, code } = await buildWithFault((registry) =>
      registry.setFault(registry.tarballPath("beta", "1.0.0"), { kind: "corrupt" }),
    );
    expect(code).toBe(1);
    expect(errors).toEqual([expect.stringContaining("integrity check failed for beta@1.0.0")]);
  });

  test("a version republished with other bytes after locking is refused: the lock's integrity wins", async () => {
    let changed = "";
    const { errors, code } = await buildWithFault((registry) => {
      const before = registry.integrity("beta", "1.0.0");
      registry.publish({ name: "beta", version: "1.0.0", files: { "evil.js": "pwned();\n" } });
      changed = registry.integrity("beta", "1.0.0");
      expect(changed).not.toBe(before);
    });
    expect(code).toBe(1);
    expect(errors).toEqual([expect.stringContaining("integrity check failed for beta@1.0.0")]);
    expect(errors[0]).not.toContain(changed);
  });
});
