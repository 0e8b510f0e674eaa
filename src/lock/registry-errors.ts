/**
 * Turns npm's errors (Arborist, pacote, npm-registry-fetch, npm-pick-manifest) into one
 * `EnvstacksError` line naming the layer and the package, with credentials redacted.
 */
import { EnvstacksError } from "../errors.js";

/** What a registry error message needs to know about the resolution that failed. */
export interface RegistryErrorContext {
  layerName: string;
  /** exclude_newer, when set (ETARGET may be caused by it). */
  before?: Date;
  /** Default registry URL, for network failures without a URL. */
  registry: string;
  /** Secret values (tokens, passwords) to remove from any message. */
  secrets: readonly string[];
  /** Packages lower layers provide: `name@version` → providing layer. */
  providers?: ReadonlyMap<string, string>;
}

/** Fields npm's errors carry besides `message` (all optional, all untyped upstream). */
interface NpmErrorFields {
  code?: unknown;
  /** minipass-fetch's kind of failure: `request-timeout`, `body-timeout`, `system`, … */
  type?: unknown;
  pkgid?: unknown;
  uri?: unknown;
  name?: unknown;
  wanted?: unknown;
  spec?: unknown;
  edge?: { name?: unknown; spec?: unknown; from?: { name?: unknown; location?: unknown } };
  current?: { name?: unknown; version?: unknown };
  currentEdge?: { name?: unknown; spec?: unknown };
  package?: unknown;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "ERR_SOCKET_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "FETCH_ERROR",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
]);

/** Converts any error thrown while resolving a layer into one clear EnvstacksError. */
export function registryError(error: unknown, context: RegistryErrorContext): EnvstacksError {
  if (error instanceof EnvstacksError) return error;
  const message = describe(error, context);
  return new EnvstacksError(redactSecrets(`${context.layerName}: ${message}`, context.secrets));
}

function describe(error: unknown, context: RegistryErrorContext): string {
  const fields: NpmErrorFields = typeof error === "object" && error !== null ? error : {};
  const text = error instanceof Error ? error.message : String(error);
  const code = typeof fields.code === "string" ? fields.code : undefined;
  const url = typeof fields.uri === "string" ? fields.uri : urlIn(text);
  const pkg = packageName(fields, url);

  switch (code) {
    case "E404":
      return `package ${pkg ?? "(unknown)"} not found in registry ${registryHost(url, context)} (E404)`;
    case "ETARGET":
    case "ENOVERSIONS": {
      const wanted = typeof fields.wanted === "string" ? `@${fields.wanted}` : "";
      const newer = context.before
        ? ` published before exclude_newer (${context.before.toISOString()})`
        : "";
      return `no version${newer} matches ${pkg ?? "(unknown)"}${wanted} (${code})`;
    }
    case "ERESOLVE":
      return `conflicting peer dependencies: ${peerSummary(fields, context)} (ERESOLVE)`;
    case "E401":
    case "E403":
      return `registry ${registryHost(url, context)} refused access to ${pkg ?? "a package"} (${code}): check the npm credentials for it`;
    case "EINTEGRITY":
      return `integrity check failed for ${pkg ?? "a package"} (EINTEGRITY): ${text}`;
  }
  if (fields.type === "request-timeout" || fields.type === "body-timeout") {
    return `registry ${registryHost(url, context)} did not answer in time for ${pkg ?? "a package"} after retries (${fields.type}; see npm's fetch-timeout)`;
  }
  if (code !== undefined && (NETWORK_CODES.has(code) || /^E5\d\d$/.test(code))) {
    return `cannot reach registry ${registryHost(url, context)} for ${pkg ?? "a package"} after retries (${code})`;
  }
  return code ? `${text} (${code})` : text;
}

function packageName(fields: NpmErrorFields, url: string | undefined): string | undefined {
  if (typeof fields.pkgid === "string" && fields.pkgid) return fields.pkgid;
  // npm-pick-manifest puts the package in `name`; otherwise `name` is the error class.
  if (typeof fields.name === "string" && fields.name && !/Error$/.test(fields.name)) {
    return fields.name;
  }
  if (typeof fields.package === "string") return fields.package;
  if (url) return packageFromUrl(url);
  return undefined;
}

/** `https://registry/@scope%2fname` or `.../name/-/name-1.0.0.tgz` → the package name. */
function packageFromUrl(url: string): string | undefined {
  try {
    const parts = new URL(url).pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const dash = parts.indexOf("-");
    const nameParts = dash === -1 ? parts.slice(-2) : parts.slice(0, dash).slice(-2);
    const [first, second] = nameParts;
    if (first?.startsWith("@") && second) return `${first}/${second}`;
    if (first?.includes("/")) return first;
    return nameParts.at(-1);
  } catch {
    return undefined;
  }
}

function urlIn(text: string): string | undefined {
  return /https?:\/\/[^\s,]+/.exec(text)?.[0];
}

function registryHost(url: string | undefined, context: RegistryErrorContext): string {
  for (const candidate of [url, context.registry]) {
    if (!candidate) continue;
    try {
      return new URL(candidate).host;
    } catch {
      // not a URL: try the next candidate
    }
  }
  return context.registry;
}

/** Arborist's ERESOLVE carries the conflicting edge and the node already in the tree. */
function peerSummary(fields: NpmErrorFields, context: RegistryErrorContext): string {
  const edge = fields.edge;
  const current = fields.current;
  const parts: string[] = [];
  if (edge && typeof edge.name === "string") {
    const from = typeof edge.from?.name === "string" && edge.from.location ? edge.from.name : "";
    parts.push(`${from ? `${from} requires ` : ""}${edge.name}@${String(edge.spec)}`);
  }
  if (current && typeof current.name === "string") {
    const id = `${current.name}@${String(current.version)}`;
    const provider = context.providers?.get(id);
    parts.push(`but ${id} is ${provider ? `provided by ${provider}` : "already in the tree"}`);
  }
  return parts.length > 0 ? parts.join(" ") : "unable to resolve the dependency tree";
}

/**
 * Removes credentials from text: known secret values, URL user-info, `_authToken=` and
 * `Authorization:`-style values, and npm tokens.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join("***");
  }
  return result
    .replace(/(\/\/)[^/\s:@]+(:[^/\s@]*)?@/g, "$1***@")
    .replace(/(_authToken|_auth|_password|token)(["']?\s*[=:]\s*["']?)[^\s"',;]+/gi, "$1$2***")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, "$1 ***")
    .replace(/\bnpm_[A-Za-z0-9]{36,}\b/g, "npm_***");
}

/** Secret values among flat npm options: nerf-darted tokens, `_auth`, passwords. */
export function secretsOf(fetchOptions: Readonly<Record<string, unknown>>): string[] {
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(fetchOptions)) {
    if (typeof value !== "string" || !/(^|:)(_authToken|_auth|_password)$/.test(key)) continue;
    secrets.push(value);
    // `_password` is stored base64-encoded; `_auth` is base64 of `user:password`.
    const decoded = Buffer.from(value, "base64").toString("utf8");
    if (decoded.length >= 4) secrets.push(decoded, ...decoded.split(":").slice(1));
  }
  return secrets;
}
