/**
 * Locating the Node.js binary of a runtime layer for each of its platforms, with the
 * integrity that the build later checks (see runtime-archive.ts).
 */
import { EnvstacksError } from "../errors.js";
import type { RuntimeSource, RuntimeSpec } from "../spec/types.js";
import { lookupNodejsDist, NODEJS_DIST_URL } from "./nodejs-dist.js";
import { lookupNpmPackages } from "./runtime-npm.js";
import type { MissingPlatform, RegistryOptions } from "./runtime-source.js";
import type { RuntimeBinary } from "./types.js";

export { fetchRuntimeArchive, verifyRuntimeArchive } from "./runtime-archive.js";
export type { RegistryOptions } from "./runtime-source.js";

export interface RuntimeBinaryOptions {
  source: RuntimeSource;
  /** settings.runtime_mirror: registry base URL for "npm", dist base URL for "nodejs-dist". */
  mirror?: string;
  /** Registry access (registry, cache, auth, proxy, retries); `before` is ignored here. */
  npm: RegistryOptions;
}

/** One binary per platform of the runtime, sorted by platform; all missing ones in one error. */
export async function lockRuntimeBinaries(
  runtime: RuntimeSpec,
  options: RuntimeBinaryOptions,
): Promise<RuntimeBinary[]> {
  const lookup = options.source === "npm" ? lookupNpmPackages : lookupNodejsDist;
  const { binaries, missing } = await lookup(
    runtime.name,
    runtime.nodeVersion,
    runtime.platforms,
    options.mirror,
    options.npm,
  );
  if (missing.length > 0) throw missingPlatformsError(runtime, options, missing);
  return binaries.sort((a, b) => (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0));
}

function missingPlatformsError(
  runtime: RuntimeSpec,
  options: RuntimeBinaryOptions,
  missing: MissingPlatform[],
): EnvstacksError {
  const platforms = missing.map((m) => m.platform).join(", ");
  const reasons = missing.map((m) => m.reason).join("; ");
  const advice =
    options.source === "npm"
      ? `limit the runtime's platforms or use runtime_source = "nodejs-dist"`
      : `limit the runtime's platforms or use runtime_source = "npm"`;
  return new EnvstacksError(
    `${runtime.name}: Node.js ${runtime.nodeVersion} is not available for ${platforms} ` +
      `from ${sourceDescription(options)} (${reasons}); ${advice}`,
  );
}

function sourceDescription(options: RuntimeBinaryOptions): string {
  if (options.source === "npm") {
    return options.mirror ? `the npm registry mirror ${options.mirror}` : "the npm registry";
  }
  return options.mirror ? `the Node.js dist mirror ${options.mirror}` : NODEJS_DIST_URL;
}
