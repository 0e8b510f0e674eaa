/**
 * Application launchers: `bin/<layer_name>` (POSIX sh) and `bin/<layer_name>.cmd` (Windows).
 * Each finds its own layer directory at run time and runs the launch module on the runtime
 * layer beside it, with the link assets preloaded. They hold no absolute path, so the same
 * bytes are written for any build directory and a moved deployment keeps working.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TargetPlatform } from "../spec/types.js";
import type { LayerConfig } from "./layer-config.js";

/** What a launcher needs: the layer's config and the launch module's name under `app/`. */
export interface LauncherTarget {
  config: LayerConfig;
  /** Basename of the launch module (a file or a directory) inside `<layer>/app/`. */
  launchModule: string;
}

/** Runtime executable inside a runtime layer, relative to it. */
export function nodeExecutable(platform: TargetPlatform): string {
  return platform.startsWith("win32-") ? "bin/node.exe" : "bin/node";
}

/** Single-quoted for sh: the only character to escape is the quote itself. */
function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The POSIX launcher script. */
export function posixLauncher(target: LauncherTarget, platform: TargetPlatform): string {
  const { config, launchModule } = target;
  const node = `${config.runtime}/${nodeExecutable(platform)}`;
  return [
    "#!/bin/sh",
    `# envstacks launcher for ${config.layer_name}: runs its launch module on the runtime`,
    "# layer beside this layer, with layer linking preloaded.",
    'launcher="$0"',
    "# Follow symlinks to this script (portable: no readlink -f) to reach its layer.",
    'while [ -L "$launcher" ]; do',
    '  target="$(readlink "$launcher")"',
    '  case "$target" in',
    '    /*) launcher="$target" ;;',
    '    *) launcher="$(dirname "$launcher")/$target" ;;',
    "  esac",
    "done",
    'layer="$(cd "$(dirname "$launcher")/.." && pwd -P)" || exit 1',
    `exec "$layer/../"${shQuote(node)} --require "$layer/share/envstacks/link.cjs" ` +
      `"$layer/app/"${shQuote(launchModule)} "$@"`,
    "",
  ].join("\n");
}

/** Inside a double-quoted cmd argument only `%` needs escaping (as `%%`). */
function cmdEscape(text: string): string {
  return text.replaceAll("%", "%%");
}

/** The Windows launcher (CRLF line ends; `%~dp0` is the launcher's directory, `bin\`). */
export function windowsLauncher(target: LauncherTarget): string {
  const { config, launchModule } = target;
  const node = `%~dp0..\\..\\${cmdEscape(config.runtime)}\\bin\\node.exe`;
  const link = "%~dp0..\\share\\envstacks\\link.cjs";
  const app = `%~dp0..\\app\\${cmdEscape(launchModule)}`;
  return [
    `@rem envstacks launcher for ${config.layer_name}`,
    `@"${node}" --require "${link}" "${app}" %*`,
    "@exit /b %ERRORLEVEL%",
    "",
  ].join("\r\n");
}

/**
 * Writes `<layerDir>/bin/<layer_name>` (0755) for every platform, and
 * `<layerDir>/bin/<layer_name>.cmd` for Windows targets. Returns the paths written.
 */
export async function writeLaunchers(
  layerDir: string,
  target: LauncherTarget,
  platform: TargetPlatform,
): Promise<string[]> {
  const binDir = join(layerDir, "bin");
  await mkdir(binDir, { recursive: true, mode: 0o755 });
  const posixPath = join(binDir, target.config.layer_name);
  await writeFile(posixPath, posixLauncher(target, platform));
  // writeFile's mode applies only to new files and is masked by the umask: set it outright.
  await chmod(posixPath, 0o755);
  if (!platform.startsWith("win32-")) return [posixPath];
  const cmdPath = `${posixPath}.cmd`;
  await writeFile(cmdPath, windowsLauncher(target));
  await chmod(cmdPath, 0o644);
  return [posixPath, cmdPath];
}
