/**
 * Node.js binaries from the official distribution (https://nodejs.org/dist or a mirror with
 * the same layout): `v<version>/node-v<version>-<os>-<arch>.<ext>`, checked against the
 * sha256 sums that `v<version>/SHASUMS256.txt` publishes.
 */
import npmFetch from "npm-registry-fetch";
import ssri from "ssri";
import { EnvstacksError } from "../errors.js";
import type { TargetPlatform } from "../spec/types.js";
import {
  hostOf,
  type RegistryOptions,
  reasonOf,
  type SourceLookup,
  withoutCredentials,
} from "./runtime-source.js";
import type { RuntimeBinary } from "./types.js";

export const NODEJS_DIST_URL = "https://nodejs.org/dist";

/** Archive name on the dist server: Windows ships zips and calls itself `win`. */
export function nodejsDistFileName(version: string, platform: TargetPlatform): string {
  const [os, arch] = platform.split("-") as [string, string];
  return os === "win32"
    ? `node-v${version}-win-${arch}.zip`
    : `node-v${version}-${os}-${arch}.tar.xz`;
}

/** `<sha256 hex>  <file name>` lines to a map from file name to hex digest. */
export function parseShasums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line);
    if (match?.[1] && match[2]) sums.set(match[2], match[1].toLowerCase());
  }
  return sums;
}

export async function lookupNodejsDist(
  runtimeName: string,
  version: string,
  platforms: readonly TargetPlatform[],
  mirror: string | undefined,
  npm: RegistryOptions,
): Promise<SourceLookup> {
  const versionUrl = `${(mirror ?? NODEJS_DIST_URL).replace(/\/+$/, "")}/v${version}`;
  const shasumsUrl = `${versionUrl}/SHASUMS256.txt`;
  const sums = parseShasums(await fetchShasums(runtimeName, version, shasumsUrl, npm));
  const result: SourceLookup = { binaries: [], missing: [] };
  for (const platform of platforms) {
    const file = nodejsDistFileName(version, platform);
    const hex = sums.get(file);
    if (hex === undefined) {
      result.missing.push({
        platform,
        reason: `${withoutCredentials(shasumsUrl)} lists no ${file}`,
      });
      continue;
    }
    const binary: RuntimeBinary = {
      platform,
      source: "nodejs-dist",
      artifact: file,
      url: withoutCredentials(`${versionUrl}/${file}`),
      integrity: ssri.fromHex(hex, "sha256").toString(),
    };
    result.binaries.push(binary);
  }
  return result;
}

async function fetchShasums(
  runtimeName: string,
  version: string,
  url: string,
  npm: RegistryOptions,
): Promise<string> {
  try {
    // Through the registry client for its retries, proxy and TLS settings; never cached, as
    // a mirror may fix a broken sums file in place.
    const response = await npmFetch(url, { ...npm, cache: undefined, integrity: undefined });
    return await response.text();
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 404) {
      throw new EnvstacksError(
        `${runtimeName}: Node.js ${version} is not available from ${hostOf(url)} ` +
          `(${withoutCredentials(url)} does not exist); check node_implementation or runtime_mirror`,
      );
    }
    throw new EnvstacksError(
      `${runtimeName}: could not fetch SHASUMS256.txt of Node.js ${version} from ${hostOf(url)}: ` +
        reasonOf(error),
    );
  }
}
