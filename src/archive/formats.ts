/** Archive formats a layer can be published in, and how each is named on disk. */

export type ArchiveFormat = "tar" | "tar.gz" | "tar.xz" | "zip";

export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ["tar", "tar.gz", "tar.xz", "zip"];

/** The file extension of a format, with its leading dot (`.tar.xz`). */
export function archiveExtension(format: ArchiveFormat): string {
  return `.${format}`;
}

/**
 * The format a layer for `platform` (`linux-x64`, `win32-arm64`, …) is published in: zip for
 * Windows, whose own tools unpack it, tar.xz (smallest, keeps symlinks and modes) elsewhere.
 */
export function defaultArchiveFormat(platform: string): ArchiveFormat {
  return platform.startsWith("win32") ? "zip" : "tar.xz";
}

/** The format of an archive path by its extension (`.tgz` counts as tar.gz); undefined if none. */
export function formatOfPath(archivePath: string): ArchiveFormat | undefined {
  const name = archivePath.toLowerCase();
  if (name.endsWith(".tgz")) return "tar.gz";
  // Longest extensions first: `.tar.gz` must not be taken for something ending in `.gz` alone.
  return [...ARCHIVE_FORMATS]
    .sort((a, b) => b.length - a.length)
    .find((format) => name.endsWith(archiveExtension(format)));
}
