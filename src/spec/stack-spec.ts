/** The entry point of the spec model: `StackSpec.load(path)` reads, parses and validates a stack. */
import path from "node:path";
import { BuildEnvironment } from "../env/build-environment.js";
import { parseSpecToml, readSpecFile } from "./toml.js";
import type {
  ApplicationSpec,
  FrameworkSpec,
  LayerSpec,
  RuntimeSpec,
  StackSettings,
} from "./types.js";
import { type ValidatedSpec, validateSpec } from "./validate.js";

export class StackSpec {
  /** Absolute path of the spec file. */
  readonly specPath: string;
  /** Directory of the spec file: module paths, locks and the default build dir are relative to it. */
  readonly specDir: string;
  /** The path as the user gave it, used in error messages. */
  readonly displayPath: string;
  readonly settings: StackSettings;
  readonly runtimes: RuntimeSpec[];
  readonly frameworks: FrameworkSpec[];
  readonly applications: ApplicationSpec[];
  readonly #byLayerName: Map<string, LayerSpec>;

  private constructor(displayPath: string, validated: ValidatedSpec) {
    this.displayPath = displayPath;
    this.specPath = path.resolve(displayPath);
    this.specDir = path.dirname(this.specPath);
    this.settings = validated.settings;
    this.runtimes = validated.runtimes;
    this.frameworks = validated.frameworks;
    this.applications = validated.applications;
    this.#byLayerName = new Map(this.layers.map((layer) => [layer.layerName, layer]));
  }

  /** Reads, parses and validates the spec at `specPath`; throws a SpecError on any problem. */
  static async load(specPath: string): Promise<StackSpec> {
    const text = await readSpecFile(path.resolve(specPath), specPath);
    return StackSpec.parse(text, specPath);
  }

  /** Parses and validates spec text already read from `specPath` (paths resolve against its directory). */
  static async parse(text: string, specPath: string): Promise<StackSpec> {
    const document = parseSpecToml(text, specPath);
    const validated = await validateSpec(document, specPath, path.dirname(path.resolve(specPath)));
    return new StackSpec(specPath, validated);
  }

  /** Runtimes, then frameworks, then applications, each in file order. */
  get layers(): LayerSpec[] {
    return [...this.runtimes, ...this.frameworks, ...this.applications];
  }

  getLayer(layerName: string): LayerSpec | undefined {
    return this.#byLayerName.get(layerName);
  }

  /** Where a layer's lock files live: `<specDir>/requirements/<layerName>`. */
  requirementsDir(layerName: string): string {
    return path.join(this.specDir, "requirements", layerName);
  }

  /** A build environment for this stack; `buildDir` defaults to `_build/` beside the spec. */
  defineBuildEnvironment(buildDir?: string): BuildEnvironment {
    return new BuildEnvironment(this, buildDir);
  }
}
