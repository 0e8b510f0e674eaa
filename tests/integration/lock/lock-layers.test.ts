import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import type { SelectionOptions } from "../../../src/graph/selection.js";
import { type LockOptions, lockLayers, readLockState } from "../../../src/lock/index.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { useTempDir } from "../../helpers/temp-dir.js";

// Real registry, pinned by exclude_newer so the resolutions below are stable.

const tempDir = useTempDir();

interface StackOptions {
  excludeNewer?: string;
  webRequirements?: string;
  appRequirements?: string;
}

function stackText(options: StackOptions = {}): string {
  return `
[settings]
exclude_newer = "${options.excludeNewer ?? "2025-06-01T00:00:00Z"}"

[[runtimes]]
name = "node-22"
node_implementation = "node@22.12.0"
requirements = ["semver@^7.3.0"]
platforms = ["linux-x64"]

[[frameworks]]
name = "web"
runtime = "node-22"
# debug@2 pulls ms@2.0.0 in transitively.
requirements = ${options.webRequirements ?? '["debug@^2.6.9"]'}
versioned = true

[[applications]]
name = "x"
launch_module = "launch.mjs"
frameworks = ["web"]
requirements = ${options.appRequirements ?? '["debug@^2.6.0", "ms@^2.1.0", "semver@^7.0.0"]'}
`;
}

async function loadStack(options: StackOptions = {}): Promise<StackSpec> {
  await writeFile(join(tempDir(), "launch.mjs"), "export {};\n");
  await writeFile(join(tempDir(), "envstacks.toml"), stackText(options));
  return StackSpec.load(join(tempDir(), "envstacks.toml"));
}

async function lock(
  spec: StackSpec,
  options: LockOptions = {},
  selection: SelectionOptions = {},
): Promise<Record<string, string>> {
  const env = spec.defineBuildEnvironment();
  const results = await lockLayers(env, env.select(selection, ["lock"]), options);
  return Object.fromEntries(results.map((r) => [r.layerName, `${r.action} ${r.installTarget}`]));
}

async function readJson(spec: StackSpec, layer: string, file: string) {
  return JSON.parse(await readFile(join(spec.requirementsDir(layer), file), "utf8"));
}

/** Every file under requirements/ with its bytes and mtime. */
async function snapshot(spec: StackSpec): Promise<Record<string, string>> {
  const root = join(spec.specDir, "requirements");
  const files: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    files[relative(root, path)] = `${info.mtimeMs} ${await readFile(path, "utf8")}`;
  }
  return files;
}

async function status(spec: StackSpec, layerName: string): Promise<string> {
  const state = await readLockState(spec, layerName);
  return state.reason ? `${state.status}: ${state.reason}` : state.status;
}

describe("lockLayers", () => {
  test("locks a runtime + framework + app stack into the documented files", {
    tags: ["slow"],
  }, async () => {
    const spec = await loadStack();
    expect(await lock(spec)).toEqual({
      "node-22": "locked node-22",
      "framework-web": "locked framework-web@1",
      "app-x": "locked app-x",
    });

    const manifest = await readFile(join(spec.requirementsDir("app-x"), "package.json"), "utf8");
    expect(JSON.parse(manifest)).toEqual({
      name: "app-x",
      version: "0.0.0",
      private: true,
      description: "envstacks lock inputs for app-x",
      dependencies: { debug: "^2.6.0", ms: "^2.1.0", semver: "^7.0.0" },
    });

    const webLock = await readJson(spec, "framework-web", "package-lock.json");
    expect(webLock).toMatchObject({ name: "framework-web", lockfileVersion: 3, requires: true });
    expect(Object.keys(webLock.packages).sort()).toEqual([
      "",
      "node_modules/debug",
      "node_modules/ms",
    ]);
    expect(webLock.packages["node_modules/debug"]).toMatchObject({
      version: "2.6.9",
      resolved: "https://registry.npmjs.org/debug/-/debug-2.6.9.tgz",
      integrity: expect.stringMatching(/^sha512-/),
      dependencies: { ms: "2.0.0" },
    });

    // npm's own tools read it: `npm ls` walks the lock without a node_modules.
    const { stdout } = await promisify(execFile)("npm", ["ls", "--package-lock-only", "--json"], {
      cwd: spec.requirementsDir("framework-web"),
      shell: process.platform === "win32",
    });
    expect(JSON.parse(stdout).dependencies.debug.version).toBe("2.6.9");

    const appMeta = await readJson(spec, "app-x", "lock-meta.json");
    expect(appMeta).toMatchObject({
      layer_name: "app-x",
      lock_version: 1,
      locked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requirements_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      lock_input_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      other_inputs_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      version_inputs_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(appMeta.inherited).toEqual([
      { name: "debug", version: "2.6.9", layer: "framework-web" },
      { name: "semver", version: expect.stringMatching(/^7\./), layer: "node-22" },
    ]);

    const runtimeMeta = await readJson(spec, "node-22", "lock-meta.json");
    expect(runtimeMeta.node_version).toBe("22.12.0");
    expect(runtimeMeta.runtime_binaries).toEqual([
      expect.objectContaining({ platform: "linux-x64", source: "npm" }),
    ]);

    // ms@2.0.0 is only a transitive package of the framework: the app gets its own copy.
    const list = await readFile(join(spec.requirementsDir("app-x"), "packages-app-x.txt"), "utf8");
    expect(list).toMatch(
      /^ms==2\.1\.3\n# Shared packages inherited from other layers\ndebug==2\.6\.9 {2}# framework-web\nsemver==7\.\d+\.\d+ {2}# node-22\n$/,
    );
    for (const layer of ["node-22", "framework-web", "app-x"]) {
      expect(await status(spec, layer)).toBe("valid");
    }

    // A second lock resolves to the same bytes and touches no file.
    const before = await snapshot(spec);
    expect(await lock(spec)).toEqual({
      "node-22": "unchanged node-22",
      "framework-web": "unchanged framework-web@1",
      "app-x": "unchanged app-x",
    });
    expect(await snapshot(spec)).toEqual(before);
  });

  test("relocking follows what changed, upwards", { tags: ["slow"] }, async () => {
    await lock(await loadStack());
    const firstWeb = await readJson(await loadStack(), "framework-web", "lock-meta.json");

    // New inputs with the same resolution: relocked, but the version stays.
    const later = await loadStack({ excludeNewer: "2025-06-02T00:00:00Z" });
    expect(await status(later, "framework-web")).toBe("stale: lower layer node-22 is stale");
    expect(await lock(later)).toMatchObject({ "framework-web": "locked framework-web@1" });
    const sameWeb = await readJson(later, "framework-web", "lock-meta.json");
    expect(sameWeb.lock_version).toBe(1);
    expect(sameWeb.locked_at).toBe(firstWeb.locked_at);
    expect(sameWeb.lock_input_hash).not.toBe(firstWeb.lock_input_hash);

    // New content: the versioned framework moves to version 2 and the app goes stale.
    const changed = await loadStack({
      excludeNewer: "2025-06-02T00:00:00Z",
      webRequirements: '["debug@^2.6.9", "escape-html@^1.0.3"]',
    });
    expect(await status(changed, "framework-web")).toBe("stale: requirements changed");
    expect(await lock(changed, {}, { include: ["framework-web"] })).toEqual({
      "framework-web": "locked framework-web@2",
      "app-x": "locked app-x",
    });
    expect(await status(changed, "app-x")).toBe("valid");

    // The framework relocked on its own makes the app stale.
    const more = await loadStack({
      excludeNewer: "2025-06-02T00:00:00Z",
      webRequirements: '["debug@^2.6.9"]',
    });
    const env = more.defineBuildEnvironment();
    const onlyWeb = env.select({ include: ["framework-web"] }, ["lock"]);
    onlyWeb.layers = onlyWeb.layers.filter((s) => s.layer.layerName !== "app-x");
    await lockLayers(env, onlyWeb);
    expect(await status(more, "app-x")).toBe("stale: lower layer framework-web was relocked");
  });

  test("--if-needed skips valid locks", { tags: ["slow"] }, async () => {
    await lock(await loadStack());
    const spec = await loadStack({ appRequirements: '["debug@^2.6.0", "ms@^2.1.0"]' });
    expect(await status(spec, "app-x")).toBe("stale: requirements changed");
    expect(await lock(spec, { ifNeeded: true })).toEqual({
      "node-22": "skipped node-22",
      "framework-web": "skipped framework-web@1",
      "app-x": "locked app-x",
    });
    expect(await status(spec, "app-x")).toBe("valid");
  });

  test("--reset-lock resolves afresh where a plain lock keeps the locked versions", {
    tags: ["slow"],
  }, async () => {
    const old = await loadStack({ excludeNewer: "2025-01-01T00:00:00Z" });
    await lock(old, {}, { include: ["node-22"] });
    const semverIn = async (spec: StackSpec) =>
      (await readJson(spec, "node-22", "package-lock.json")).packages["node_modules/semver"]
        .version;
    expect(await semverIn(old)).toBe("7.6.3");

    const spec = await loadStack();
    await lock(spec, {}, { include: ["node-22"] });
    expect(await semverIn(spec)).toBe("7.6.3");
    await lock(spec, { resetLock: true }, { include: ["node-22"] });
    expect(await semverIn(spec)).toBe("7.7.2");
    expect((await readLockState(spec, "node-22")).lockVersion).toBe(2);
  });

  test("an unlocked lower layer that is not selected is named", async () => {
    const spec = await loadStack();
    await expect(lock(spec, {}, { include: ["app-x"] })).rejects.toThrow(
      "app-x needs framework-web, which is not locked and is not selected; select it too or pass --include-dependencies",
    );
  });

  test("a conflict with a package a lower layer requires directly fails", {
    tags: ["slow"],
  }, async () => {
    const spec = await loadStack({
      webRequirements: '["lodash@^4.17.21"]',
      appRequirements: '["lodash@^3.10.0"]',
    });
    const failure = lock(spec);
    await expect(failure).rejects.toThrow(/lodash/);
    await expect(failure).rejects.toThrow(/\^3\.10\.0/);
    await expect(failure).rejects.toThrow(/\^4\.17\.21/);
    await expect(failure).rejects.toThrow(/app-x/);
    await expect(failure).rejects.toThrow(/framework-web/);
    expect(await status(spec, "app-x")).toBe("missing: not locked");
  });
});
