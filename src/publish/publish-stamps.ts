/**
 * Publish stamps, `OUTPUT_DIR/__envstacks__/publish_stamps/<layer>.json`: which build of a
 * layer (its build stamp digest) and which archive mtime the published archive was made from.
 * With the archive's size and sha256 from the metadata, they let a publish tell that an
 * archive is current without compressing it again. Only names and hashes: as reproducible
 * as the metadata.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stableJson } from "../lock/hashes.js";
import { METADATA_DIR_NAME } from "../metadata/layer-metadata.js";

export const PUBLISH_STAMPS_DIR_NAME = "publish_stamps";

export interface PublishStamp {
  layer_name: string;
  archive_name: string;
  archive_sha256: string;
  /** Digest of the layer's build stamp when the archive was written. */
  build_digest: string;
  /** The mtime given to every archive member (seconds since the epoch). */
  archive_mtime: number;
}

export function publishStampPath(outputDir: string, layerName: string): string {
  return path.join(outputDir, METADATA_DIR_NAME, PUBLISH_STAMPS_DIR_NAME, `${layerName}.json`);
}

export function renderPublishStamp(stamp: PublishStamp): string {
  return stableJson(stamp);
}

export async function readPublishStamp(
  outputDir: string,
  layerName: string,
): Promise<PublishStamp | undefined> {
  try {
    const stamp = JSON.parse(
      await readFile(publishStampPath(outputDir, layerName), "utf8"),
    ) as Partial<PublishStamp>;
    const complete =
      typeof stamp.archive_name === "string" &&
      typeof stamp.archive_sha256 === "string" &&
      typeof stamp.build_digest === "string" &&
      typeof stamp.archive_mtime === "number";
    return complete ? (stamp as PublishStamp) : undefined;
  } catch {
    return undefined;
  }
}
