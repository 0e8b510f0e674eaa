/**
 * The validated stack spec model. Everything here has passed validation: names are
 * valid and unique, references resolve, framework orders are C3-consistent, paths exist.
 * Paths are absolute (resolved against the spec file's directory).
 */

export const TARGET_PLATFORMS = [
  "linux-x64",
  "linux-arm64",
  "darwin-x64",
  "darwin-arm64",
  "win32-x64",
  "win32-arm64",
] as const;

/** Node's `${process.platform}-${process.arch}` for the platforms envstacks targets. */
export type TargetPlatform = (typeof TARGET_PLATFORMS)[number];

export type LayerKind = "runtime" | "framework" | "application";

export type RuntimeSource = "npm" | "nodejs-dist";

export interface StackSettings {
  /** Ignore package versions published after this instant (npm's `before`). */
  excludeNewer?: Date;
  /** Where Node binaries come from. */
  runtimeSource: RuntimeSource;
  /** Base URL overriding the source's default (registry or dist mirror). */
  runtimeMirror?: string;
}

/** One npm registry requirement, as written and as parsed by npm-package-arg. */
export interface Requirement {
  /** Exactly as written in the spec, e.g. `@scope/pkg@^1.2.0`. */
  raw: string;
  /** Package name, e.g. `@scope/pkg`. */
  name: string;
  /** Version range or dist-tag; `*` when the spec gave only a name. */
  range: string;
  /** npm-package-arg's type: an exact version, a range or a dist-tag. */
  type: "version" | "range" | "tag";
}

interface LayerSpecBase {
  kind: LayerKind;
  /** Name as written in the spec (`web`, `server`, `node-22`). */
  name: string;
  /** Layer name: the runtime's own name, `framework-<name>` or `app-<name>`. */
  layerName: string;
  requirements: Requirement[];
  /** Install target becomes `<layerName>@<lock_version>`. */
  versioned: boolean;
  /** Target platforms, explicit or inherited from the layer's bases. */
  platforms: TargetPlatform[];
  /** Packages whose install scripts may run (none by default). */
  allowScripts: string[];
}

export interface RuntimeSpec extends LayerSpecBase {
  kind: "runtime";
  /** Exact Node.js version, e.g. `22.14.0` (from `node@22.14.0`). */
  nodeVersion: string;
  /** As written: `node@22.14.0`. */
  nodeImplementation: string;
}

export interface FrameworkSpec extends LayerSpecBase {
  kind: "framework";
  /** Runtime spec name (`node-22`). */
  runtime: string;
  /** Framework spec names as declared (not layer names). */
  frameworks: string[];
  /** C3 linearisation: this framework's bases, nearest first, excluding itself. */
  frameworkOrder: string[];
}

export interface ApplicationSpec extends LayerSpecBase {
  kind: "application";
  runtime: string;
  frameworks: string[];
  /** C3 linearisation of the app's frameworks, nearest first. */
  frameworkOrder: string[];
  /** Absolute path to the launch module (a .js/.mjs/.cjs file or a directory). */
  launchModule: string;
  /** Absolute paths of support modules, copied beside the launch module. */
  supportModules: string[];
}

export type LayerSpec = RuntimeSpec | FrameworkSpec | ApplicationSpec;
