/**
 * The packages an upper layer can use from its lower layers: the top of each lower layer's
 * node_modules, walked in resolution order. The first layer providing a name wins, as it
 * does for module resolution at run time.
 */
import type { Requirement } from "../spec/types.js";
import type { LockedPackage, ProvidedPackage } from "./types.js";

export interface LowerLayerLock {
  layerName: string;
  requirements: Requirement[];
  /** The lower layer's own packages, from its package-lock.json. */
  own: LockedPackage[];
}

const TOP_LEVEL = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/;

export function providedPackages(lowerLayers: LowerLayerLock[]): ProvidedPackage[] {
  const provided = new Map<string, ProvidedPackage>();
  for (const layer of lowerLayers) {
    const ranges = new Map(layer.requirements.map((r) => [r.name, r.range]));
    for (const pkg of layer.own) {
      const topName = TOP_LEVEL.exec(pkg.path)?.[1];
      if (topName === undefined || provided.has(topName)) continue;
      const range = ranges.get(topName);
      provided.set(topName, {
        name: topName,
        version: pkg.version,
        layer: layer.layerName,
        direct: range !== undefined,
        ...(range !== undefined && { range }),
        resolved: pkg.resolved,
        integrity: pkg.integrity,
      });
    }
  }
  return [...provided.values()];
}
