/**
 * `local-export`: builds the selected layers if needed, then copies each built layer to
 * `<outputDir>/<installTarget>` — the layout an unpacked publish gives, runnable in place.
 * Each layer replaces its older export atomically (temp dir, then rename).
 */
import path from "node:path";
import {
  type BuildOptions,
  type BuildTarget,
  buildLayers,
  type LayerBuildResult,
} from "../build/build-layers.js";
import { removeOtherTargets, replaceDirAtomically } from "../build/layer-dirs.js";
import type { Selection } from "../graph/selection.js";
import { copyDirContents } from "./copy-tree.js";

export interface LayerExportResult {
  layerName: string;
  installTarget: string;
  action: "exported" | "skipped";
  /** Why a layer was skipped. */
  reason?: string;
  /** What the build did first. */
  build: LayerBuildResult["action"];
}

export async function localExport(
  target: BuildTarget,
  selection: Selection,
  outputDir: string,
  options: BuildOptions = {},
): Promise<LayerExportResult[]> {
  const built = await buildLayers(target, selection, options);
  const output = path.resolve(outputDir);
  const results: LayerExportResult[] = [];
  for (const layer of built) {
    const { layerName, installTarget } = layer;
    if (layer.action === "skipped") {
      results.push({
        layerName,
        installTarget,
        action: "skipped",
        build: layer.action,
        ...(layer.reason !== undefined && { reason: layer.reason }),
      });
      continue;
    }
    const source = path.join(target.buildDir, installTarget);
    await replaceDirAtomically(output, installTarget, (temp) =>
      copyDirContents(source, temp, target.buildDir),
    );
    await removeOtherTargets(output, layerName, installTarget);
    options.log?.(`${layerName}: exported to ${path.join(output, installTarget)}`);
    results.push({ layerName, installTarget, action: "exported", build: layer.action });
  }
  return results;
}
