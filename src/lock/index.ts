/** The lock stage: resolving layers, their committed lock files and their lock state. */
export {
  type LayerLockResult,
  type LockAction,
  type LockOptions,
  type LockTarget,
  lockLayers,
} from "./lock-layers.js";
export { type LockMeta, parseLockMeta } from "./meta.js";
export { type LockState, type LockStatus, readLockState } from "./state.js";
export type {
  InheritedPackage,
  LockedPackage,
  ProvidedPackage,
  ResolvedLayer,
  RuntimeBinary,
} from "./types.js";
