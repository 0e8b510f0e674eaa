/**
 * The user's npm configuration, reduced to what reaching a registry needs.
 *
 * npm's own loader (`@npmcli/config` with npm's definitions) reads the same files npm does
 * (project `.npmrc`, user `~/.npmrc`, global `<prefix>/etc/npmrc`, `npm_config_*` env), so
 * registries, scoped registries, auth tokens, proxies and CA settings behave as in npm.
 * Only network settings are kept: resolution settings (`legacy-peer-deps`,
 * `omit-lockfile-registry-resolved`, `before`, …) must not make locks depend on the user.
 */

import { createRequire } from "node:module";
import { join } from "node:path";
import { cacachePath, cacheDir } from "../fetch/cache-dir.js";

const require = createRequire(import.meta.url);

/** Registry access settings for pacote, npm-registry-fetch and Arborist. */
export interface NpmOptions {
  /** Default registry URL, with a trailing slash. */
  registry: string;
  /** cacache directory for packuments and tarballs. */
  cache: string;
  /**
   * Flat npm options: `registry`, `@scope:registry`, `//host/:_authToken` (nerf-darted
   * credentials), proxy, TLS and retry settings. Holds secrets: never print it.
   */
  fetchOptions: Readonly<Record<string, unknown>>;
}

export interface LoadNpmOptionsSettings {
  /** User config file instead of `~/.npmrc` (npm's `--userconfig`). */
  userconfig?: string;
  /** cacache directory; default: `_cacache` in the envstacks download cache (see src/fetch/cache-dir.ts). */
  cache?: string;
  /** Environment to read `npm_config_*` from; default `process.env` (never modified). */
  env?: NodeJS.ProcessEnv;
}

interface NpmConfigDefinitions {
  definitions: Record<string, unknown>;
  flatten: (obj: Record<string, unknown>, flat?: Record<string, unknown>) => void;
  shorthands: Record<string, string[]>;
  nerfDarts: string[];
}

interface NpmConfigInstance {
  load(): Promise<void>;
  readonly flat: Record<string, unknown>;
  isDefault(key: string): boolean;
}

type NpmConfigClass = new (options: {
  definitions: Record<string, unknown>;
  flatten: NpmConfigDefinitions["flatten"];
  shorthands: Record<string, string[]>;
  nerfDarts: string[];
  npmPath: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  warn: boolean;
}) => NpmConfigInstance;

/** Flat option names that concern reaching a registry (see npm's config definitions). */
const NETWORK_KEYS = [
  "registry",
  "_auth",
  "ca",
  "cert",
  "key",
  "strictSSL",
  "proxy",
  "httpsProxy",
  "noProxy",
  "localAddress",
  "maxSockets",
  "timeout",
  "userAgent",
] as const;

/** Retries with backoff when the user has not configured them (npm's start at 10 s). */
const DEFAULT_RETRY = { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 15_000 };
const RETRY_KEYS = [
  "fetch-retries",
  "fetch-retry-factor",
  "fetch-retry-mintimeout",
  "fetch-retry-maxtimeout",
];

/** Reads the npm configuration that applies in `cwd`, as npm would. */
export async function loadNpmOptions(
  cwd: string,
  settings: LoadNpmOptionsSettings = {},
): Promise<NpmOptions> {
  const { definitions, flatten, shorthands, nerfDarts } =
    require("@npmcli/config/lib/definitions") as NpmConfigDefinitions;
  const Config = require("@npmcli/config") as NpmConfigClass;
  const argv = ["node", "envstacks"];
  if (settings.userconfig !== undefined) argv.push(`--userconfig=${settings.userconfig}`);
  const config = new Config({
    definitions,
    flatten,
    shorthands,
    nerfDarts,
    // No npm installation is involved: no builtin npmrc to read.
    npmPath: join(cwd, ".envstacks-no-npm"),
    argv,
    // Loading exports npm_config_* variables into `env`: give it a copy.
    env: { ...(settings.env ?? process.env) },
    cwd,
    // Unknown keys in a user's .npmrc (`nodedir`, …) are not our business.
    warn: false,
  });
  await config.load();
  const flat = config.flat;

  const fetchOptions: Record<string, unknown> = {};
  for (const key of NETWORK_KEYS) {
    if (flat[key] !== undefined && flat[key] !== null) fetchOptions[key] = flat[key];
  }
  for (const [key, value] of Object.entries(flat)) {
    // Scoped registries and per-registry credentials, copied verbatim as npm does.
    if (/^@.*:registry$/i.test(key) || key.startsWith("//")) fetchOptions[key] = value;
  }
  fetchOptions.retry = RETRY_KEYS.every((key) => config.isDefault(key))
    ? DEFAULT_RETRY
    : flat.retry;

  const registry = withTrailingSlash(String(flat.registry ?? "https://registry.npmjs.org/"));
  fetchOptions.registry = registry;
  // One content-addressed cache for packuments, package tarballs and Node binaries.
  const cache = settings.cache ?? cacachePath(cacheDir({ env: settings.env ?? process.env }));
  return { registry, cache, fetchOptions };
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
