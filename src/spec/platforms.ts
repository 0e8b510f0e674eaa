/** Target platforms of a layer: explicit lists, and the default inherited from its bases. */
import { quote, type TableReader } from "./fields.js";
import { TARGET_PLATFORMS, type TargetPlatform } from "./types.js";

function isTargetPlatform(value: string): value is TargetPlatform {
  return (TARGET_PLATFORMS as readonly string[]).includes(value);
}

/** Reads `platforms`: known platforms, no duplicates, at least one; undefined when absent. */
export function readPlatforms(reader: TableReader): TargetPlatform[] | undefined {
  const written = reader.stringArray("platforms");
  if (written === undefined) return undefined;
  if (written.length === 0) {
    reader.fail(
      "platforms",
      `expected at least one of ${TARGET_PLATFORMS.join(", ")}, got an empty array`,
    );
  }
  return written.map((platform, index) => {
    const key = `platforms[${index}]`;
    if (!isTargetPlatform(platform)) {
      reader.fail(
        key,
        `unknown platform ${quote(platform)}; expected one of ${TARGET_PLATFORMS.join(", ")}`,
      );
    }
    const first = written.indexOf(platform);
    if (first !== index) {
      reader.fail(key, `platform ${platform} is listed twice (platforms[${first}] and ${key})`);
    }
    return platform;
  });
}

/** A lower layer and its platforms, for checking what an upper layer may target. */
export interface PlatformBase {
  layerName: string;
  platforms: readonly TargetPlatform[];
}

/**
 * The platforms of a layer built on `bases`: the explicit list if every base provides it,
 * else (no explicit list) the platforms all bases share, in TARGET_PLATFORMS order.
 */
export function platformsOnBases(
  reader: TableReader,
  explicit: TargetPlatform[] | undefined,
  bases: readonly PlatformBase[],
): TargetPlatform[] {
  if (explicit !== undefined) {
    for (const base of bases) {
      const lacking = explicit.filter((platform) => !base.platforms.includes(platform));
      if (lacking.length > 0) {
        reader.fail(
          "platforms",
          `${lacking.join(", ")} ${lacking.length === 1 ? "is" : "are"} not provided by ${base.layerName}, which targets only ${base.platforms.join(", ")}`,
        );
      }
    }
    return explicit;
  }
  const shared = TARGET_PLATFORMS.filter((platform) =>
    bases.every((base) => base.platforms.includes(platform)),
  );
  if (shared.length === 0) {
    const listed = bases.map((base) => `${base.layerName} (${base.platforms.join(", ")})`);
    reader.fail(
      "platforms",
      `the layers it builds on share no target platform: ${listed.join("; ")}`,
    );
  }
  return shared;
}
