/**
 * Lifecycle scripts of installed packages. None run by default: only packages the spec's
 * `allow_scripts` names run `preinstall`, `install` and `postinstall`, as npm would.
 */
import path from "node:path";
import runScript from "@npmcli/run-script";
import { EnvstacksError } from "../errors.js";
import type { LockedPackage } from "../lock/types.js";

const INSTALL_EVENTS = ["preinstall", "install", "postinstall"] as const;

export interface InstallScriptOptions {
  /** Package names whose install scripts may run. */
  allowScripts: readonly string[];
  /** The layer's Node.js binary: its directory comes first in the scripts' PATH. */
  nodeBinary?: string;
  log?: (message: string) => void;
}

/** Runs the allowed packages' install scripts, dependencies before their dependents. */
export async function runInstallScripts(
  layerDir: string,
  packages: readonly LockedPackage[],
  options: InstallScriptOptions,
): Promise<void> {
  const allowed = new Set(options.allowScripts);
  const withScripts = packages.filter((p) => p.hasInstallScript);
  for (const pkg of withScripts.filter((p) => !allowed.has(p.name))) {
    options.log?.(`${pkg.name}@${pkg.version}: install scripts not run (not in allow_scripts)`);
  }
  // Deeper packages are dependencies of shallower ones: they come first, as in npm.
  const ordered = withScripts
    .filter((p) => allowed.has(p.name))
    .sort((a, b) => depth(b.path) - depth(a.path));
  const binPaths = options.nodeBinary ? [path.dirname(path.resolve(options.nodeBinary))] : [];
  for (const pkg of ordered) {
    for (const event of INSTALL_EVENTS) {
      await runOne(path.join(layerDir, pkg.path), pkg, event, binPaths);
    }
  }
}

async function runOne(
  packageDir: string,
  pkg: LockedPackage,
  event: string,
  binPaths: string[],
): Promise<void> {
  try {
    await runScript({ event, path: packageDir, binPaths, stdio: "pipe", stdioString: true });
  } catch (error) {
    const { code, signal, stderr } = error as {
      code?: unknown;
      signal?: unknown;
      stderr?: unknown;
    };
    const status = signal ? `signal ${String(signal)}` : `exit code ${String(code)}`;
    const output = typeof stderr === "string" ? lastLines(stderr, 5) : "";
    throw new EnvstacksError(
      `${pkg.name}@${pkg.version}: ${event} script failed (${status})${output ? `: ${output}` : ""}`,
    );
  }
}

function depth(lockPath: string): number {
  return lockPath.split("node_modules/").length - 1;
}

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join(" | ");
}
