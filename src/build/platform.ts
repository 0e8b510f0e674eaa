import { EnvstacksError } from "../errors.js";
import { TARGET_PLATFORMS, type TargetPlatform } from "../spec/types.js";

/** The platform this process runs on, as envstacks names platforms. */
export function hostPlatform(): TargetPlatform {
  const host = `${process.platform}-${process.arch}`;
  const platform = TARGET_PLATFORMS.find((p) => p === host);
  if (platform === undefined) {
    throw new EnvstacksError(
      `envstacks cannot build on ${host}; it builds on ${TARGET_PLATFORMS.join(", ")}`,
    );
  }
  return platform;
}
