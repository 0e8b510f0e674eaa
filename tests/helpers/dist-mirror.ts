/**
 * A loopback HTTP server standing in for nodejs.org/dist (or any static mirror): it serves
 * the files it holds, answers 404 for anything else and records every requested path.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface DistMirror {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** URL path (`/v22.14.0/SHASUMS256.txt`) to body; change it to change what is served. */
  files: Map<string, Uint8Array>;
  /** Every requested URL path, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startDistMirror(
  files: Record<string, Uint8Array | string> = {},
): Promise<DistMirror> {
  const served = new Map(
    Object.entries(files).map(([path, body]) => [path, toBytes(body)] as const),
  );
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://mirror").pathname;
    requests.push(path);
    const body = served.get(path);
    if (body === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": body.byteLength,
    });
    response.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files: served,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * The files of one Node.js release as the dist server lays them out: each archive under
 * `/v<version>/` and a SHASUMS256.txt listing all of them except `unlisted` ones.
 */
export function nodejsDistRelease(
  version: string,
  archives: Record<string, Uint8Array | string>,
  unlisted: readonly string[] = [],
): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const sums: string[] = [];
  for (const [name, body] of Object.entries(archives)) {
    const bytes = toBytes(body);
    files[`/v${version}/${name}`] = bytes;
    if (!unlisted.includes(name)) {
      sums.push(`${createHash("sha256").update(bytes).digest("hex")}  ${name}`);
    }
  }
  files[`/v${version}/SHASUMS256.txt`] = toBytes(`${sums.join("\n")}\n`);
  return files;
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? Buffer.from(body) : body;
}
