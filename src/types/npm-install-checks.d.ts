// Minimal declaration of npm-install-checks@8 (no @types package): the part envstacks uses.
declare module "npm-install-checks" {
  export interface PlatformTarget {
    _id?: string;
    os?: string | string[];
    cpu?: string | string[];
    libc?: string | string[];
  }
  export interface PlatformEnvironment {
    os?: string;
    cpu?: string;
    libc?: string;
  }
  /** Throws an error with code `EBADPLATFORM` when `target` does not fit the environment. */
  export function checkPlatform(
    target: PlatformTarget,
    force?: boolean,
    environment?: PlatformEnvironment,
  ): void;
}
