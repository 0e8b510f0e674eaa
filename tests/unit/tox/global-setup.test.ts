import { access, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { useTempDir, withTempDir } from "../../helpers/temp-dir.js";
import { buildDistIfStale, sharedCacheDir } from "../../setup/global-setup.js";

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    strict: true,
    types: [],
    outDir: "dist",
  },
};

/** A minimal repository shaped like ours: src/, tsconfig.json, tsconfig.build.json. */
async function makeRepo(root: string, source: string): Promise<void> {
  await mkdir(path.join(root, "src"));
  await writeFile(path.join(root, "src", "index.ts"), source);
  await writeFile(path.join(root, "tsconfig.json"), JSON.stringify(TSCONFIG));
  await writeFile(
    path.join(root, "tsconfig.build.json"),
    JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: { rootDir: "src" },
      include: ["src"],
    }),
  );
}

// Each tsc run takes a few seconds.
describe("buildDistIfStale", { tags: ["slow"] }, () => {
  const tempDir = useTempDir();

  test("builds once, then skips until a source changes", async () => {
    const root = tempDir();
    await makeRepo(root, "export const answer: number = 42;\n");
    expect(await buildDistIfStale(root)).toBe("built");
    expect(await readFile(path.join(root, "dist", "index.js"), "utf8")).toContain("answer = 42");
    expect(await buildDistIfStale(root)).toBe("fresh");

    // A source file newer than dist/ forces a rebuild.
    const earlier = new Date(Date.now() - 60_000);
    await utimes(path.join(root, "dist", "index.js"), earlier, earlier);
    await writeFile(path.join(root, "src", "index.ts"), "export const answer: number = 43;\n");
    expect(await buildDistIfStale(root)).toBe("built");
    expect(await readFile(path.join(root, "dist", "index.js"), "utf8")).toContain("answer = 43");
  });

  test("type errors warn with tsc's diagnostics but still emit dist/", async () => {
    const root = tempDir();
    await makeRepo(root, 'export const answer: number = "forty-two";\n');
    const warnings: string[] = [];
    expect(await buildDistIfStale(root, (message) => warnings.push(message))).toBe("built");
    expect(warnings.join("\n")).toMatch(/src\/index\.ts\(1,14\): error TS2322/);
    await access(path.join(root, "dist", "index.js"));
  });

  test("a build that cannot emit fails with tsc's message", async () => {
    const root = tempDir();
    await makeRepo(root, "export {};\n");
    await writeFile(path.join(root, "tsconfig.build.json"), "{ not json");
    await expect(buildDistIfStale(root)).rejects.toThrow(
      /building dist\/ .* failed: .*tsconfig\.build\.json/s,
    );
  });
});

describe("sharedCacheDir", () => {
  test("defaults to <repo>/.test-cache and honours ENVSTACKS_CACHE_DIR, creating it", async () => {
    await withTempDir(async (root) => {
      const fallback = await sharedCacheDir(root, undefined);
      expect(fallback).toBe(path.join(root, ".test-cache"));
      expect((await stat(fallback)).isDirectory()).toBe(true);

      const chosen = await sharedCacheDir(root, path.join(root, "elsewhere", "cache"));
      expect(chosen).toBe(path.join(root, "elsewhere", "cache"));
      expect((await stat(chosen)).isDirectory()).toBe(true);
    });
  });

  test("the running suite got one absolute cache dir from the global setup", () => {
    const dir = process.env.ENVSTACKS_CACHE_DIR;
    expect(dir).toBeDefined();
    expect(path.isAbsolute(dir ?? "")).toBe(true);
  });
});

describe("temp-dir helpers", () => {
  let seen: string | undefined;
  const tempDir = useTempDir();

  test("useTempDir gives each test a fresh empty directory", async () => {
    seen = tempDir();
    await writeFile(path.join(seen, "leftover"), "x");
  });

  test("…and removes it after the test", async () => {
    expect(seen).toBeDefined();
    expect(tempDir()).not.toBe(seen);
    await expect(access(seen ?? "")).rejects.toThrow(/ENOENT/);
  });

  test("withTempDir removes its directory even when the callback throws", async () => {
    let dir = "";
    await expect(
      withTempDir((d) => {
        dir = d;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(access(dir)).rejects.toThrow(/ENOENT/);
  });
});
