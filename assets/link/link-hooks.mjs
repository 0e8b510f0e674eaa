// envstacks layer linking for ES modules: a resolve hook registered by link.cjs.
//
// Node's own resolution finds a layer's own packages. When a bare specifier is not found
// inside layer L (missing, or found only above the deployment), it is resolved again as if
// imported from inside each of L's lower layers' node_modules, in L's resolution order. import.meta.resolve goes through
// this hook too. Runs on Node's hooks thread, so it keeps its own cache of layer.json.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

let deploymentDir;
const lowerLayersCache = new Map();

export function initialize(data) {
  deploymentDir = data.deploymentDir;
}

/** Install target of the layer holding a file: URL (its first path segment), or undefined. */
function layerOf(url) {
  if (deploymentDir === undefined || !url?.startsWith("file:")) return undefined;
  const relative = path.relative(deploymentDir, fileURLToPath(url));
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep)[0];
}

function lowerLayersOf(layer) {
  let lower = lowerLayersCache.get(layer);
  if (lower === undefined) {
    const configPath = path.join(deploymentDir, layer, "share", "envstacks", "layer.json");
    try {
      lower = JSON.parse(readFileSync(configPath, "utf8")).lower_layers || [];
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
      lower = [];
    }
    lowerLayersCache.set(layer, lower);
  }
  return lower;
}

/** A package name (`pkg`, `@scope/pkg/sub`): not relative, absolute, `#import` or a URL. */
function isBare(specifier) {
  return !/^(\.|\/|\\|#)/.test(specifier) && !/^[a-zA-Z][a-zA-Z\d+.-]*:/.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  const layer = isBare(specifier) ? layerOf(context.parentURL) : undefined;
  if (layer === undefined) return nextResolve(specifier, context);
  let own;
  let notFound;
  try {
    own = await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    notFound = error;
  }
  // Found in the layer itself, or a builtin: Node's answer stands.
  if (own !== undefined && (!own.url.startsWith("file:") || layerOf(own.url) === layer)) {
    return own;
  }
  // Not found, or found only above the deployment: the lower layers come first.
  const lower = await resolveInLowerLayers(specifier, context, nextResolve, layer);
  if (lower !== undefined) return lower;
  if (own !== undefined) return own;
  throw notFound;
}

async function resolveInLowerLayers(specifier, context, nextResolve, layer) {
  for (const lower of lowerLayersOf(layer)) {
    const lowerDir = path.join(deploymentDir, lower);
    // A file that need not exist: resolution from it starts at <lower>/node_modules.
    const anchor = pathToFileURL(path.join(lowerDir, "node_modules", "[envstacks].js")).href;
    let found;
    try {
      found = await nextResolve(specifier, { ...context, parentURL: anchor });
    } catch (lowerError) {
      // Found but broken (e.g. not exported): that is the error the user needs.
      if (lowerError?.code !== "ERR_MODULE_NOT_FOUND") throw lowerError;
      continue;
    }
    // Resolution walks on above the layer; only this layer's copy counts here.
    if (layerOf(found.url) === lower) return found;
  }
  return undefined;
}
