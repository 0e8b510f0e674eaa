/**
 * Lock state of one layer as `status` reports it.
 * PROVISIONAL: the lock engineer replaces this implementation with the real
 * hash-based staleness check; the exported types are the contract.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { StackSpec } from "../spec/stack-spec.js";

export type LockStatus = "valid" | "stale" | "missing";

export interface LockState {
  layerName: string;
  status: LockStatus;
  /** One line saying why the lock is stale or missing. */
  reason?: string;
  /** From the committed lock metadata, when present. */
  lockVersion?: number;
  lockedAt?: string;
}

export async function readLockState(spec: StackSpec, layerName: string): Promise<LockState> {
  const meta = join(spec.requirementsDir(layerName), "lock-meta.json");
  try {
    await access(meta);
  } catch {
    return { layerName, status: "missing", reason: "no lock metadata" };
  }
  return { layerName, status: "stale", reason: "staleness check not implemented yet" };
}
