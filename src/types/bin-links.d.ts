// Minimal declaration of bin-links@6 (no @types package). Besides the entry point, two of its
// own modules are used directly: one links bins for POSIX targets, the other writes cmd
// shims for Windows targets, whatever the host (bin-links itself picks by host).
declare module "bin-links" {
  interface BinLinks {
    /** Forgets the links made so far (it refuses to overwrite a link it made itself). */
    resetSeen(): void;
  }
  const binLinks: BinLinks;
  export default binLinks;
}

declare module "bin-links/lib/link-bin.js" {
  import type { LinkBinOptions } from "bin-links/lib/shim-bin.js";

  /** Symlinks `to` → `from` (relative) and makes the target executable. */
  const linkBin: (options: LinkBinOptions) => Promise<unknown>;
  export default linkBin;
}

declare module "bin-links/lib/shim-bin.js" {
  export interface LinkBinOptions {
    /** The package directory. */
    path: string;
    /** The link to create (`…/node_modules/.bin/<name>`, shims add `.cmd` and `.ps1`). */
    to: string;
    /** The bin target relative to the link's directory. */
    from: string;
    absFrom: string;
    force: boolean;
  }
  /** Writes `to`, `to.cmd` and `to.ps1` shims running `from`. */
  const shimBin: (options: LinkBinOptions) => Promise<unknown>;
  export default shimBin;
}
