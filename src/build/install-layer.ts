/**
 * The default `LayerInstaller`: fills a layer directory with the installers of
 * `src/install/` — the Node binary of a runtime, the layer's own packages, an
 * application's modules and launchers, and every layer's `layer.json`.
 */
import path from "node:path";
import { cacheDir } from "../fetch/cache-dir.js";
import { installApplication } from "../install/application.js";
import { nodeExecutable } from "../install/launchers.js";
import { layerConfigFor, writeLayerConfig } from "../install/layer-config.js";
import { installPackages } from "../install/packages.js";
import { installRuntime } from "../install/runtime.js";
import type { LayerJob } from "./build-layers.js";

export async function installLayer(layerDir: string, job: LayerJob): Promise<void> {
  const { layer, platform, offline } = job;
  const npm = await job.npm();
  if (layer.kind === "runtime") {
    if (job.runtimeBinary === undefined) {
      throw new Error(`${layer.layerName}: no Node.js binary for ${platform} was planned`);
    }
    await installRuntime(layerDir, job.runtimeBinary, {
      cacheDir: cacheDir(),
      offline,
      npm: { ...npm.fetchOptions, cache: npm.cache },
    });
  }
  if (job.packages.length > 0) {
    await installPackages(layerDir, job.packages, {
      platform,
      allowScripts: layer.spec.allowScripts,
      offline,
      npm,
      // Install scripts run on the layer's own runtime, which only runs on its platform.
      ...(job.runsOnHost && { nodeBinary: path.join(job.runtimeDir, nodeExecutable(platform)) }),
      ...(job.log && { log: job.log }),
    });
  }
  const config = layerConfigFor(job.graph, layer, job.installTargetOf);
  if (layer.spec.kind === "application") {
    await installApplication(layerDir, layer.spec, config, platform);
  }
  await writeLayerConfig(layerDir, config);
}
