"use strict";
// envstacks layer linking, preloaded by an application's launcher (`node --require`).
//
// A deployment is a directory of layers side by side; this file lives in
// <deployment>/<app layer>/share/envstacks/. Node finds a layer's own packages by itself;
// this adds, for a file inside layer L, the `node_modules` of L's lower layers in L's
// resolution order (from each layer's share/envstacks/layer.json). Only paths relative to
// this file are used, so a moved deployment keeps working.
// Plain CommonJS without dependencies: it runs on every Node the runtime layers ship.

const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

// Node hands module paths over realpath'd; compare them with a realpath'd deployment dir.
const deploymentDir = fs.realpathSync(path.resolve(__dirname, "..", "..", ".."));

/** Install target of the layer holding `file` (its first path segment), or undefined. */
function layerOf(file) {
  const relative = path.relative(deploymentDir, file);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep)[0];
}

const lowerLayersCache = new Map();

/** Lower layers of a layer, in resolution order; none for a directory without layer.json. */
function lowerLayersOf(layer) {
  let lower = lowerLayersCache.get(layer);
  if (lower === undefined) {
    const configPath = path.join(deploymentDir, layer, "share", "envstacks", "layer.json");
    try {
      lower = JSON.parse(fs.readFileSync(configPath, "utf8")).lower_layers || [];
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
      lower = [];
    }
    lowerLayersCache.set(layer, lower);
  }
  return lower;
}

// CommonJS: every lookup (require, require.resolve, the main module) asks
// _nodeModulePaths which directories to search, nearest first. The lower layers' node_modules
// go right after the layer's own ones and before any node_modules above the deployment, so
// packages from wherever the deployment happens to sit never shadow a layer's packages.
const nodeModulePaths = Module._nodeModulePaths;
Module._nodeModulePaths = function envstacksNodeModulePaths(from) {
  const paths = nodeModulePaths.call(this, from);
  const layer = layerOf(path.resolve(from));
  if (layer === undefined) return paths;
  const layerRoot = path.join(deploymentDir, layer) + path.sep;
  const inLayer = paths.filter((p) => p.startsWith(layerRoot));
  const beyond = paths.filter((p) => !p.startsWith(layerRoot));
  const lower = lowerLayersOf(layer).map((l) => path.join(deploymentDir, l, "node_modules"));
  return [...inLayer, ...lower, ...beyond];
};

// ESM: a resolve hook retries bare specifiers in the lower layers (see link-hooks.mjs).
// Without module.register (Node < 20.6) CommonJS linking still works.
if (typeof Module.register === "function") {
  Module.register("./link-hooks.mjs", pathToFileURL(__filename), { data: { deploymentDir } });
}
