/** The envstacks library API; the CLI (`src/cli/`) is a thin layer over it. */

export {
  type BuildAction,
  type BuildOptions,
  buildLayers,
  type LayerBuildResult,
} from "./build/build-layers.js";
export {
  BuildEnvironment,
  DEFAULT_BUILD_DIR_NAME,
  type LayerStatus,
  type StackStatus,
} from "./env/build-environment.js";
export {
  EnvstacksError,
  NotImplementedError,
  SpecError,
  type SpecLocation,
  UsageError,
} from "./errors.js";
export { type LayerExportResult, localExport } from "./export/local-export.js";
export { Layer, LayerGraph, type LayerSource } from "./graph/layers.js";
export {
  type LayerSelection,
  OPERATIONS,
  type Operation,
  type Selection,
  type SelectionOptions,
  type SelectionReason,
  selectLayers,
} from "./graph/selection.js";
export {
  type LayerLockResult,
  type LockAction,
  type LockOptions,
  lockLayers,
} from "./lock/lock-layers.js";
export { type LockState, type LockStatus, readLockState } from "./lock/state.js";
export { appModulesMetadata, hashModule } from "./metadata/app-modules.js";
export {
  type AppModuleMetadata,
  type LayerMetadata,
  layerMetadataPath,
  parseLayerMetadata,
  type StackMetadata,
  stackMetadataPath,
} from "./metadata/layer-metadata.js";
export {
  type LayerPublishResult,
  type PublishAction,
  type PublishOptions,
  type PublishReport,
  publishLayers,
} from "./publish/publish-layers.js";
export { StackSpec } from "./spec/stack-spec.js";
export {
  type ApplicationSpec,
  type FrameworkSpec,
  type LayerKind,
  type LayerSpec,
  type Requirement,
  type RuntimeSource,
  type RuntimeSpec,
  type StackSettings,
  TARGET_PLATFORMS,
  type TargetPlatform,
} from "./spec/types.js";
export {
  compareFiles,
  type FileComparison,
  formatComparisons,
} from "./verify/compare.js";
export { reviewReport, type StackState } from "./verify/review-report.js";
export { type VerifyOptions, type VerifyReport, verifyStack } from "./verify/verify-stack.js";
