/**
 * Node.js binaries published on the npm registry as `node-<os>-<arch>` packages. Their
 * versions are sparse: a Node release may exist for some platforms and not for others.
 */
import pacote from "pacote";
import ssri from "ssri";
import { EnvstacksError } from "../errors.js";
import type { TargetPlatform } from "../spec/types.js";
import {
  hostOf,
  type MissingPlatform,
  type RegistryOptions,
  reasonOf,
  type SourceLookup,
  withoutCredentials,
} from "./runtime-source.js";
import type { RuntimeBinary } from "./types.js";

const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

/** Registry package holding Node for a platform; Windows packages say `win`, not `win32`. */
export function nodePackageName(platform: TargetPlatform): string {
  return `node-${platform.replace(/^win32-/, "win-")}`;
}

export async function lookupNpmPackages(
  runtimeName: string,
  version: string,
  platforms: readonly TargetPlatform[],
  mirror: string | undefined,
  npm: RegistryOptions,
): Promise<SourceLookup> {
  // The version is exact, so `before` (exclude_newer) must not hide it.
  const options: RegistryOptions = { ...npm, registry: mirror ?? npm.registry, before: undefined };
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const outcomes = await Promise.all(
    platforms.map((platform) => lookupPlatform(runtimeName, version, platform, registry, options)),
  );
  const result: SourceLookup = { binaries: [], missing: [] };
  for (const outcome of outcomes) {
    if ("reason" in outcome) result.missing.push(outcome);
    else result.binaries.push(outcome);
  }
  return result;
}

async function lookupPlatform(
  runtimeName: string,
  version: string,
  platform: TargetPlatform,
  registry: string,
  options: RegistryOptions,
): Promise<RuntimeBinary | MissingPlatform> {
  const name = nodePackageName(platform);
  const artifact = `${name}@${version}`;
  let manifest: Awaited<ReturnType<typeof pacote.manifest>>;
  try {
    manifest = await pacote.manifest(artifact, options);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ETARGET")
      return { platform, reason: `package ${name} has no version ${version}` };
    if (code === "E404") return { platform, reason: `package ${name} does not exist` };
    throw new EnvstacksError(
      `${runtimeName}: could not fetch ${artifact} from ${hostOf(registry)}: ${reasonOf(error)}`,
    );
  }
  // Lock files record sha512 only; older packages may carry a weaker hash alone.
  const sha512 = ssri.parse(manifest.dist.integrity ?? "").sha512?.[0];
  if (!sha512) {
    throw new EnvstacksError(
      `${runtimeName}: ${artifact} from ${hostOf(registry)} has no sha512 integrity in its metadata`,
    );
  }
  return {
    platform,
    source: "npm",
    artifact,
    url: withoutCredentials(manifest.dist.tarball),
    integrity: sha512.toString(),
  };
}
