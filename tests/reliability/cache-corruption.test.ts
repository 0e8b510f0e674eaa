/**
 * One flipped byte in any kind of cached file (package tarball, Node.js runtime archive,
 * cacache index entry, cached packument) is detected on read: online the entry is fetched
 * again and the build succeeds; offline the build stops naming what it lacks.
 */
import { chmod, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import cacache from "cacache";
import { afterEach, describe, expect, test } from "vitest";
import {
  FAKE_NODE_VERSION,
  type FakeRegistry,
  type FakeStack,
  fakeStackPackages,
  flipByte,
  hostNodePackage,
  startFakeRegistry,
  writeFakeStack,
} from "../helpers/fake-registry.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir("envstacks-cache-corruption-");
let registry: FakeRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

/** A stack locked and built online: every download is in its cache. */
async function warmStack(): Promise<[FakeRegistry, FakeStack]> {
  registry = await startFakeRegistry(fakeStackPackages());
  const stack = await writeFakeStack(tempDir(), registry, ["fetch-retries=0"]);
  const build = await stack.run(["build", "envstacks.toml"]);
  expect(build.stderr).not.toContain("error");
  expect(build.code).toBe(0);
  return [registry, stack];
}

const cachePath = (stack: FakeStack) => path.join(stack.cacheDir, "_cacache");

async function flipFile(file: string): Promise<void> {
  const bytes = await readFile(file);
  await chmod(file, 0o644); // cacache stores content read-only
  await writeFile(file, flipByte(bytes));
}

/** Flips a byte in the content of the cache entry whose key `matches`. */
async function corruptContent(stack: FakeStack, matches: (key: string) => boolean) {
  const entries = Object.values(await cacache.ls(cachePath(stack)));
  const entry = entries.find((e) => matches(e.key));
  if (entry === undefined) throw new Error("no such cache entry");
  await flipFile(entry.path);
}

/** Flips a byte in the index bucket holding the entry whose key `matches`. */
async function corruptIndex(stack: FakeStack, matches: (key: string) => boolean) {
  const entries = Object.values(await cacache.ls(cachePath(stack)));
  const key = entries.find((e) => matches(e.key))?.key;
  if (key === undefined) throw new Error("no such cache entry");
  const indexDir = path.join(cachePath(stack), "index-v5");
  for (const file of await readdir(indexDir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const bucket = path.join(file.parentPath, file.name);
    const text = await readFile(bucket, "utf8");
    if (!text.includes(JSON.stringify(key))) continue;
    // Inside the entry's JSON, where the line's own hash no longer matches it.
    const at = text.indexOf(JSON.stringify(key)) + 5;
    await writeFile(bucket, `${text.slice(0, at)}X${text.slice(at + 1)}`);
    return;
  }
  throw new Error(`no index bucket holds ${key}`);
}

const tarballKey = (integrity: string) => (key: string) =>
  key === `envstacks:package-tarball:${integrity}`;
const runtimeKey = (key: string) => key.startsWith("envstacks:runtime-archive:");

const CASES = [
  {
    kind: "a package tarball",
    label: "beta@1.0.0",
    fetchedAgain: true,
    urlPath: (r: FakeRegistry) => r.tarballPath("beta", "1.0.0"),
    corrupt: (r: FakeRegistry, s: FakeStack) =>
      corruptContent(s, tarballKey(r.integrity("beta", "1.0.0"))),
  },
  {
    kind: "the Node.js runtime archive",
    label: `${hostNodePackage()}@${FAKE_NODE_VERSION}`,
    fetchedAgain: true,
    urlPath: (r: FakeRegistry) => r.tarballPath(hostNodePackage(), FAKE_NODE_VERSION),
    corrupt: (_r: FakeRegistry, s: FakeStack) => corruptContent(s, runtimeKey),
  },
  {
    kind: "the index entry of a package tarball",
    label: "beta@1.0.0",
    // Online, packages are extracted straight from content addressed (and checked) by their
    // locked integrity: intact bytes need no index entry and no download.
    fetchedAgain: false,
    urlPath: (r: FakeRegistry) => r.tarballPath("beta", "1.0.0"),
    corrupt: (r: FakeRegistry, s: FakeStack) =>
      corruptIndex(s, tarballKey(r.integrity("beta", "1.0.0"))),
  },
  {
    kind: "the index entry of the runtime archive",
    label: `${hostNodePackage()}@${FAKE_NODE_VERSION}`,
    fetchedAgain: true,
    urlPath: (r: FakeRegistry) => r.tarballPath(hostNodePackage(), FAKE_NODE_VERSION),
    corrupt: (_r: FakeRegistry, s: FakeStack) => corruptIndex(s, runtimeKey),
  },
];

describe.each(CASES)("a flipped byte in $kind", ({ label, urlPath, corrupt, fetchedAgain }) => {
  test("offline: the build stops naming it and leaves no layer behind", async () => {
    const [registry, stack] = await warmStack();
    await corrupt(registry, stack);
    await rm(path.join(stack.specDir, "_build"), { recursive: true });
    const before = registry.requests.length;

    const run = await stack.run(["build", "envstacks.toml", "--offline"]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`envstacks: error: ${label} is not in the cache`);
    expect(registry.requests.length).toBe(before);
    const built = await readdir(path.join(stack.specDir, "_build")).catch(() => []);
    expect(built.filter((name) => !name.startsWith("."))).not.toContain("app-hello");
  });

  test("online: the build succeeds from verified bytes, fetched again when damaged", async () => {
    const [registry, stack] = await warmStack();
    const fetched = () => registry.requests.filter((r) => r.path === urlPath(registry)).length;
    expect(fetched()).toBe(1);
    await corrupt(registry, stack);
    await rm(path.join(stack.specDir, "_build"), { recursive: true });

    const run = await stack.run(["build", "envstacks.toml"]);

    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect(fetched()).toBe(fetchedAgain ? 2 : 1);
    expect(await readdir(path.join(stack.specDir, "_build"))).toContain("app-hello");
    const beta = path.join(stack.specDir, "_build", "framework-base", "node_modules", "beta");
    expect(await readFile(path.join(beta, "index.js"), "utf8")).toContain("beta@1.0.0");
  });
});

test("a flipped byte in a cached packument: relocking fetches it again", async () => {
  const [registry, stack] = await warmStack();
  const packument = registry.packumentPath("alpha");
  await corruptContent(stack, (key) => key.endsWith(packument));
  const before = registry.requests.filter((r) => r.path === packument).length;

  const run = await stack.run(["lock", "--reset-lock", "envstacks.toml"]);

  expect(run.stderr).not.toContain("error");
  expect(run.code).toBe(0);
  expect(registry.requests.filter((r) => r.path === packument).length).toBeGreaterThan(before);
});
