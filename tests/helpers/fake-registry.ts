/**
 * A loopback npm registry of our own: it serves packuments and gzipped package tarballs it
 * generates from small in-memory packages, records every request (with its Authorization
 * header) and can be switched into faults per URL path: HTTP errors (a number of times or
 * for good), answers that never come, truncated bodies, bytes that differ from the
 * packument's integrity. No real registry is involved.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type CliRun, envstacks } from "./cli.js";

export interface FakePackage {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  /** Files below `package/`; `package.json` is generated. */
  files?: Record<string, string>;
  /** Modes of files (e.g. `{ "bin/node": 0o755 }`); default 0o644. */
  modes?: Record<string, number>;
}

export type Fault =
  /** Answer with this HTTP status `times` times (default: every time), then normally. */
  | { kind: "status"; status: number; times?: number; body?: string }
  /** Accept the request and never answer. */
  | { kind: "hang" }
  /** Announce the full length, send half the body, then drop the connection. */
  | { kind: "truncate" }
  /** Serve other bytes than the packument's integrity describes (one byte flipped). */
  | { kind: "corrupt" };

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  /** Milliseconds since the registry started. */
  at: number;
}

export interface FakeRegistry {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** `127.0.0.1:40123`, as `.npmrc` nerf darts and messages show it. */
  host: string;
  requests: RecordedRequest[];
  /** Adds (or replaces) a version; its tarball and integrity are generated at once. */
  publish(pkg: FakePackage): void;
  /** sha512 SRI of a published version's tarball. */
  integrity(name: string, version: string): string;
  /** URL path of a published version's tarball. */
  tarballPath(name: string, version: string): string;
  /** URL path of a package's packument. */
  packumentPath(name: string): string;
  /** Applies `fault` to requests for `path` (replacing any earlier one); undefined clears it. */
  setFault(path: string, fault: Fault | undefined): void;
  close(): Promise<void>;
}

interface Version {
  manifest: Record<string, unknown>;
  tarball: Buffer;
}

export async function startFakeRegistry(
  packages: readonly FakePackage[] = [],
): Promise<FakeRegistry> {
  const versions = new Map<string, Map<string, Version>>();
  const tarballs = new Map<string, Buffer>();
  const faults = new Map<string, Fault & { served: number }>();
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  let base = "";

  const packumentPath = (name: string) => `/${name.replace("/", "%2f")}`;
  const tarballPath = (name: string, version: string) =>
    `/${name}/-/${name.replace(/^@[^/]+\//, "")}-${version}.tgz`;

  const publish = (pkg: FakePackage) => {
    const manifest = {
      name: pkg.name,
      version: pkg.version,
      ...(pkg.dependencies && { dependencies: pkg.dependencies }),
    };
    const tarball = packTarball(manifest, pkg);
    const path = tarballPath(pkg.name, pkg.version);
    tarballs.set(path, tarball);
    const byVersion = versions.get(pkg.name) ?? new Map<string, Version>();
    byVersion.set(pkg.version, {
      manifest: {
        ...manifest,
        dist: { tarball: `${base}${path.slice(1)}`, integrity: sha512(tarball) },
      },
      tarball,
    });
    versions.set(pkg.name, byVersion);
  };

  const packument = (name: string) => {
    const byVersion = versions.get(name);
    if (byVersion === undefined) return undefined;
    const all = [...byVersion.keys()];
    return {
      name,
      "dist-tags": { latest: all.at(-1) },
      versions: Object.fromEntries([...byVersion].map(([v, { manifest }]) => [v, manifest])),
      time: Object.fromEntries(all.map((v) => [v, "2024-01-01T00:00:00.000Z"])),
    };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://registry").pathname;
    requests.push({ path, authorization: request.headers.authorization, at: Date.now() - started });
    const body = tarballs.get(path) ?? jsonOf(packument(decodeURIComponent(path.slice(1))));
    const fault = faults.get(path);
    if (
      fault !== undefined &&
      (fault.kind !== "status" || (fault.times ?? Infinity) > fault.served)
    ) {
      fault.served++;
      switch (fault.kind) {
        case "status":
          response.writeHead(fault.status, { "content-type": "text/plain" });
          response.end(fault.body ?? `fault ${fault.status}`);
          return;
        case "hang":
          return;
        case "truncate":
          if (body === undefined) break;
          response.writeHead(200, { "content-length": body.byteLength });
          response.write(body.subarray(0, body.byteLength >> 1), () => response.destroy());
          return;
        case "corrupt": {
          if (body === undefined) break;
          const flipped = flipByte(body);
          response.writeHead(200, { "content-length": flipped.byteLength });
          response.end(flipped);
          return;
        }
      }
    }
    if (body === undefined) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"error":"Not found"}');
      return;
    }
    const type = tarballs.has(path) ? "application/octet-stream" : "application/json";
    response.writeHead(200, { "content-type": type, "content-length": body.byteLength });
    response.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}/`;
  for (const pkg of packages) publish(pkg);

  return {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    publish,
    integrity: (name, version) => {
      const found = versions.get(name)?.get(version);
      if (found === undefined) throw new Error(`${name}@${version} is not published`);
      return sha512(found.tarball);
    },
    tarballPath,
    packumentPath,
    setFault: (path, fault) => {
      if (fault === undefined) faults.delete(path);
      else faults.set(path, { ...fault, served: 0 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A copy of `bytes` with the byte in the middle inverted. */
export function flipByte(bytes: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  const at = copy.byteLength >> 1;
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

function jsonOf(value: unknown): Buffer | undefined {
  return value === undefined ? undefined : Buffer.from(JSON.stringify(value));
}

function sha512(bytes: Buffer): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

/** A deterministic `.tgz` with `package/package.json` and the package's files. */
function packTarball(manifest: Record<string, unknown>, pkg: FakePackage): Buffer {
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(manifest, null, 2)}\n`,
    "index.js": `module.exports = ${JSON.stringify(`${pkg.name}@${pkg.version}`)};\n`,
    ...pkg.files,
  };
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    blocks.push(tarHeader(`package/${name}`, data.byteLength, pkg.modes?.[name] ?? 0o644), data);
    blocks.push(Buffer.alloc((512 - (data.byteLength % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A ustar header for a regular file (written by hand: tar-stream packs asynchronously). */
function tarHeader(name: string, size: number, mode: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value, offset, length, "utf8");
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0");
  field(0, 100, name);
  field(100, 8, octal(mode, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, " ".repeat(8));
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${octal(checksum, 7)}\0`);
  return header;
}

/** The host's `node-<os>-<arch>` package name, as envstacks looks Node.js up on a registry. */
export function hostNodePackage(): string {
  return `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
}

export const FAKE_NODE_VERSION = "22.14.0";

/**
 * Packages of a small stack: a fake Node.js runtime for the host (a script, never run by a
 * build), `alpha` (depending on `beta`) for a framework and `gamma` for an application.
 */
export function fakeStackPackages(): FakePackage[] {
  const node = process.platform === "win32" ? "bin/node.exe" : "bin/node";
  return [
    {
      name: hostNodePackage(),
      version: FAKE_NODE_VERSION,
      files: { [node]: "#!/bin/sh\necho fake node\n", LICENSE: "fake licence\n" },
      modes: { [node]: 0o755 },
    },
    { name: "alpha", version: "1.0.0", dependencies: { beta: "^1.0.0" } },
    { name: "beta", version: "1.0.0" },
    { name: "gamma", version: "1.0.0" },
  ];
}

/** `envstacks.toml` of that stack: runtime `node-fake`, `framework-base`, `app-hello`. */
export function fakeStackSpec(): string {
  const platform = `${process.platform}-${process.arch}`;
  return `[[runtimes]]
name = "node-fake"
node_implementation = "node@${FAKE_NODE_VERSION}"
platforms = ["${platform}"]

[[frameworks]]
name = "base"
runtime = "node-fake"
requirements = ["alpha@^1.0.0"]

[[applications]]
name = "hello"
launch_module = "hello.mjs"
frameworks = ["base"]
requirements = ["gamma@^1.0.0"]
`;
}

/**
 * The process environment for a CLI run against the fake registry: its own download cache
 * and no `npm_config_*` variables (`npm test` sets some, and they would win over the spec
 * directory's `.npmrc`).
 */
export function fakeRegistryEnv(cacheDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ENVSTACKS_CACHE_DIR: cacheDir };
  for (const key of Object.keys(env)) {
    if (/^npm_config_/i.test(key)) delete env[key];
  }
  return env;
}

export interface FakeStack {
  /** Holds `envstacks.toml`, `hello.mjs` and `.npmrc`. */
  specDir: string;
  /** ENVSTACKS_CACHE_DIR of the runs: empty at first. */
  cacheDir: string;
  /** Runs the built CLI in the spec directory against the fake registry. */
  run(args: string[]): Promise<CliRun>;
}

/**
 * Writes the fake stack into `<dir>/spec` with an `.npmrc` pointing at `registry` (plus
 * `npmrc` lines), and a download cache `<dir>/cache` of its own.
 */
export async function writeFakeStack(
  dir: string,
  registry: FakeRegistry,
  npmrc: readonly string[] = [],
): Promise<FakeStack> {
  const specDir = path.join(dir, "spec");
  const cacheDir = path.join(dir, "cache");
  await mkdir(specDir, { recursive: true });
  await writeFile(path.join(specDir, "envstacks.toml"), fakeStackSpec());
  await writeFile(path.join(specDir, "hello.mjs"), 'console.log("hello");\n');
  await writeFile(
    path.join(specDir, ".npmrc"),
    [`registry=${registry.url}`, ...npmrc].map((line) => `${line}\n`).join(""),
  );
  const env = fakeRegistryEnv(cacheDir);
  return { specDir, cacheDir, run: (args) => envstacks(args, specDir, env) };
}
