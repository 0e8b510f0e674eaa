/**
 * Which locked packages belong in a layer built for one target platform. A lock holds the
 * packages of every platform (esbuild's `@esbuild/<os>-<cpu>` binaries, fsevents, …); npm
 * installs the optional ones whose `os`/`cpu`/`libc` fit and drops what only they need.
 */
import { checkPlatform } from "npm-install-checks";
import { EnvstacksError } from "../errors.js";
import type { LockedPackage } from "../lock/types.js";
import type { TargetPlatform } from "../spec/types.js";

/** A target platform in the terms of package.json's `os`, `cpu` and `libc` fields. */
export interface PlatformEnvironment {
  os: string;
  cpu: string;
  /** Node.js's official Linux builds link glibc; other systems have no libc family. */
  libc?: string;
}

export function platformEnvironment(platform: TargetPlatform): PlatformEnvironment {
  const [os = "", cpu = ""] = platform.split("-");
  return os === "linux" ? { os, cpu, libc: "glibc" } : { os, cpu };
}

/** Whether a package's `os`/`cpu`/`libc` allow the platform (npm's rules, `!` negations too). */
export function fitsPlatform(
  pkg: Pick<LockedPackage, "os" | "cpu" | "libc">,
  platform: TargetPlatform,
): boolean {
  try {
    // Never the host's libc: npm-install-checks only looks it up for Linux, and we name it.
    checkPlatform(
      { os: pkg.os, cpu: pkg.cpu, libc: pkg.libc },
      false,
      platformEnvironment(platform),
    );
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "EBADPLATFORM") return false;
    throw error;
  }
}

export interface PlatformSelection {
  /** Packages to install, in lock order. */
  install: LockedPackage[];
  /** Packages left out: made for other platforms, or needed only by those. */
  skipped: LockedPackage[];
}

/**
 * Splits a lock's packages for one platform. An optional package that does not fit is
 * skipped with everything reachable only through skipped packages; a required package that
 * does not fit is an error, as in npm.
 */
export function selectForPlatform(
  packages: readonly LockedPackage[],
  platform: TargetPlatform,
): PlatformSelection {
  const excluded = new Set<LockedPackage>();
  for (const pkg of packages) {
    if (fitsPlatform(pkg, platform)) continue;
    if (!pkg.optional) {
      throw new EnvstacksError(
        `${pkg.name}@${pkg.version} does not support ${platform} ` +
          `(${describeRequirements(pkg)}) and is not optional`,
      );
    }
    excluded.add(pkg);
  }
  if (excluded.size === 0) return { install: [...packages], skipped: [] };

  const edges = dependencyEdges(packages);
  const dependedOn = new Set([...edges.values()].flat());
  // The lock's root is not among the packages: what nothing depends on is the root's, and
  // a required package is reachable from the root without optional edges.
  const roots = packages.filter((p) => !p.optional || !dependedOn.has(p));
  const reached = new Set<LockedPackage>();
  const queue = roots.filter((p) => !excluded.has(p));
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (reached.has(next)) continue;
    reached.add(next);
    for (const dep of edges.get(next) ?? []) {
      if (!excluded.has(dep) && !reached.has(dep)) queue.push(dep);
    }
  }
  return {
    install: packages.filter((p) => reached.has(p)),
    skipped: packages.filter((p) => !reached.has(p)),
  };
}

/** For each package, the locked packages its dependencies resolve to (node's lookup). */
function dependencyEdges(packages: readonly LockedPackage[]): Map<LockedPackage, LockedPackage[]> {
  const byPath = new Map(packages.map((p) => [p.path, p]));
  const edges = new Map<LockedPackage, LockedPackage[]>();
  for (const pkg of packages) {
    const names = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    const targets: LockedPackage[] = [];
    for (const name of names) {
      const target = resolveFrom(byPath, pkg.path, name);
      // Not found: provided by a lower layer, or an optional peer nobody installed.
      if (target !== undefined) targets.push(target);
    }
    edges.set(pkg, targets);
  }
  return edges;
}

/** `name` as seen from the package at `from`: its own node_modules, then its ancestors'. */
function resolveFrom(
  byPath: ReadonlyMap<string, LockedPackage>,
  from: string,
  name: string,
): LockedPackage | undefined {
  let base = from;
  for (;;) {
    const found = byPath.get(base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`);
    if (found !== undefined || base === "") return found;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent < 0 ? "" : base.slice(0, parent);
  }
}

function describeRequirements(pkg: Pick<LockedPackage, "os" | "cpu" | "libc">): string {
  const parts = (["os", "cpu", "libc"] as const)
    .filter((key) => pkg[key] !== undefined)
    .map((key) => `${key}: ${(pkg[key] ?? []).join(", ")}`);
  return parts.join("; ");
}
