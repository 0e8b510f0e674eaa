/** Hand-built validated layer specs for graph tests (what StackSpec.load would produce). */
import type {
  ApplicationSpec,
  FrameworkSpec,
  RuntimeSpec,
  TargetPlatform,
} from "../../../src/spec/types.js";

const ALL: TargetPlatform[] = ["linux-x64", "darwin-arm64", "win32-x64"];

export function runtime(name: string, extra: Partial<RuntimeSpec> = {}): RuntimeSpec {
  return {
    kind: "runtime",
    name,
    layerName: name,
    requirements: [],
    versioned: false,
    platforms: ALL,
    allowScripts: [],
    nodeVersion: "22.12.0",
    nodeImplementation: "node@22.12.0",
    ...extra,
  };
}

export function framework(
  name: string,
  runtimeName: string,
  frameworkOrder: string[] = [],
  extra: Partial<FrameworkSpec> = {},
): FrameworkSpec {
  return {
    kind: "framework",
    name,
    layerName: `framework-${name}`,
    requirements: [],
    versioned: false,
    platforms: ALL,
    allowScripts: [],
    runtime: runtimeName,
    frameworks: frameworkOrder.slice(0, 1),
    frameworkOrder,
    ...extra,
  };
}

export function application(
  name: string,
  runtimeName: string,
  frameworkOrder: string[] = [],
  extra: Partial<ApplicationSpec> = {},
): ApplicationSpec {
  return {
    kind: "application",
    name,
    layerName: `app-${name}`,
    requirements: [],
    versioned: false,
    platforms: ALL,
    allowScripts: [],
    runtime: runtimeName,
    frameworks: frameworkOrder,
    frameworkOrder,
    launchModule: `/nowhere/${name}.mjs`,
    supportModules: [],
    ...extra,
  };
}
