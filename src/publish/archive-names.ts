/**
 * Archive file names in OUTPUT_DIR: `<install_target>.<ext>`, or with `--tag-outputs`
 * `<install_target>-<platform>-<archive_build>.<ext>`.
 */
import type { TargetPlatform } from "../spec/types.js";

/** What `--tag-outputs` adds to a name. */
export interface OutputTag {
  platform: TargetPlatform;
  archiveBuild: number;
}

/** Every extension a layer archive can have, longest first so `.tar.xz` wins over `.tar`. */
const EXTENSIONS = ["tar.gz", "tar.xz", "tar", "zip"] as const;

export function archiveFileName(installTarget: string, extension: string, tag?: OutputTag): string {
  const ext = extension.replace(/^\./, "");
  const base = tag ? `${installTarget}-${tag.platform}-${tag.archiveBuild}` : installTarget;
  return `${base}.${ext}`;
}

/**
 * Whether `fileName` is an archive of the layer `layerName` under any install target, tag
 * and extension: the older archives a publish replaces.
 */
export function isLayerArchiveName(fileName: string, layerName: string): boolean {
  const escaped = layerName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const ext = EXTENSIONS.map((e) => e.replace(/\./g, "\\.")).join("|");
  return new RegExp(`^${escaped}(@\\d+)?(-[a-z0-9]+-[a-z0-9]+-\\d+)?\\.(${ext})$`).test(fileName);
}
