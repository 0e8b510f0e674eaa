/**
 * An auth token in the spec directory's `.npmrc` reaches the (fake) registry and nowhere
 * else: not in locks, lock metadata, package lists, build stamps, metadata, archives, the
 * download cache, nor any output of lock/build/publish/local-export, failures included.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, expect, test } from "vitest";
import type { CliRun } from "../helpers/cli.js";
import {
  type FakeRegistry,
  fakeStackPackages,
  startFakeRegistry,
  writeFakeStack,
} from "../helpers/fake-registry.js";
import { useTempDir } from "../helpers/temp-dir.js";

const TOKEN = "npm_FAKEenvstacksSecretToken0123456789abcdefXYZ";

const tempDir = useTempDir("envstacks-secrets-");
let registry: FakeRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

/** Every file below `dir` (decompressed too when gzipped), except the `.npmrc` holding the token. */
async function filesHolding(dir: string, secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === ".npmrc") continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    const texts = [bytes.toString("latin1")];
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) texts.push(gunzipSync(bytes).toString("latin1"));
    if (texts.some((text) => text.includes(secret))) found.push(path.relative(dir, file));
  }
  return found;
}

test("the token reaches the registry and no file or output", async () => {
  registry = await startFakeRegistry(fakeStackPackages());
  const stack = await writeFakeStack(tempDir(), registry, [
    `//${registry.host}/:_authToken=${TOKEN}`,
    "fetch-retries=0",
  ]);
  const runs: CliRun[] = [];
  const run = async (args: string[]) => {
    const result = await stack.run(args);
    runs.push(result);
    return result;
  };

  // Failures first: a registry that echoes the credentials it got in its error bodies.
  const echo = `denied for ${TOKEN} (Authorization: Bearer ${TOKEN})`;
  registry.setFault(registry.packumentPath("gamma"), { kind: "status", status: 500, body: echo });
  expect((await run(["lock", "envstacks.toml"])).code).toBe(1);
  registry.setFault(registry.packumentPath("gamma"), { kind: "status", status: 401, body: echo });
  expect((await run(["lock", "envstacks.toml"])).code).toBe(1);
  registry.setFault(registry.packumentPath("gamma"), { kind: "status", status: 403, body: echo });
  expect((await run(["build", "--publish", "envstacks.toml", "out"])).code).toBe(1);
  registry.setFault(registry.packumentPath("gamma"), undefined);
  expect((await run(["lock", "envstacks.toml"])).code).toBe(0);
  registry.setFault(registry.tarballPath("beta", "1.0.0"), { kind: "corrupt" });
  expect((await run(["build", "--publish", "envstacks.toml", "out"])).code).toBe(1);
  registry.setFault(registry.tarballPath("beta", "1.0.0"), {
    kind: "status",
    status: 401,
    body: echo,
  });
  expect((await run(["build", "envstacks.toml"])).code).toBe(1);
  registry.setFault(registry.tarballPath("beta", "1.0.0"), undefined);

  // Then everything that succeeds.
  expect((await run(["build", "--publish", "envstacks.toml", "out"])).code).toBe(0);
  expect((await run(["local-export", "envstacks.toml", "exported"])).code).toBe(0);
  expect((await run(["status", "envstacks.toml", "--json"])).code).toBe(0);
  expect((await run(["build", "--publish", "--dry-run", "envstacks.toml", "out"])).code).toBe(0);

  // The registry got the token: the test would prove nothing otherwise.
  expect(registry.requests.some((r) => r.path.endsWith(".tgz"))).toBe(true);
  for (const request of registry.requests) {
    expect(request.authorization).toBe(`Bearer ${TOKEN}`);
  }
  // No output, file or archive holds it.
  for (const { stdout, stderr } of runs) {
    expect(stdout).not.toContain(TOKEN);
    expect(stderr).not.toContain(TOKEN);
  }
  expect(runs.some((r) => r.stderr.includes("envstacks: error:"))).toBe(true);
  expect(await readdir(path.join(stack.specDir, "out"))).toContain("app-hello.tar.xz");
  // The scan reads every file: a package's own text is found in the build, export and cache
  // (the .tar.xz archives are made from the build directory's files, scanned uncompressed).
  expect((await filesHolding(tempDir(), '"beta@1.0.0"')).length).toBeGreaterThan(2);
  expect(await filesHolding(tempDir(), TOKEN)).toEqual([]);
});
