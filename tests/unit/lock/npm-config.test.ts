/**
 * The user's npm configuration as envstacks reads it, and what becomes of its credentials.
 * A loopback registry of our own stands in for a private registry (no network).
 */
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import { loadNpmOptions } from "../../../src/lock/npm-config.js";
import { redactSecrets } from "../../../src/lock/registry-errors.js";
import { resolveLayer } from "../../../src/lock/resolve.js";
import type { Requirement } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const TOKEN = "npm_FakeTokenForEnvstacksTests0123456789ab";
const FAKE_INTEGRITY = `sha512-${Buffer.alloc(64, 7).toString("base64")}`;

const tempDir = useTempDir("envstacks-npm-config-");

function requirement(name: string, range = "*"): Requirement {
  return { raw: range === "*" ? name : `${name}@${range}`, name, range, type: "range" };
}

async function writeNpmrc(lines: string[]): Promise<string> {
  const file = join(tempDir(), "user.npmrc");
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}

describe("loadNpmOptions", () => {
  test("reads registry, scoped registry and token from the user config file", async () => {
    const userconfig = await writeNpmrc([
      "registry=https://npm.example.test/private/",
      `//npm.example.test/private/:_authToken=${TOKEN}`,
      "@acme:registry=https://acme.example.test/npm/",
      "nodedir=/usr",
    ]);
    const npm = await loadNpmOptions(tempDir(), { userconfig, env: { HOME: tempDir() } });

    expect(npm.registry).toBe("https://npm.example.test/private/");
    expect(npm.fetchOptions.registry).toBe("https://npm.example.test/private/");
    expect(npm.fetchOptions["//npm.example.test/private/:_authToken"]).toBe(TOKEN);
    expect(npm.fetchOptions["@acme:registry"]).toBe("https://acme.example.test/npm/");
  });

  test("keeps registry access settings only, never resolution settings", async () => {
    const userconfig = await writeNpmrc([
      "omit-lockfile-registry-resolved=true",
      "legacy-peer-deps=true",
      "before=2001-01-01",
      "strict-ssl=false",
      "https-proxy=http://proxy.example.test:3128/",
    ]);
    const npm = await loadNpmOptions(tempDir(), { userconfig, env: { HOME: tempDir() } });

    expect(npm.fetchOptions).not.toHaveProperty("omitLockfileRegistryResolved");
    expect(npm.fetchOptions).not.toHaveProperty("legacyPeerDeps");
    expect(npm.fetchOptions).not.toHaveProperty("before");
    expect(npm.fetchOptions.strictSSL).toBe(false);
    expect(npm.fetchOptions.httpsProxy).toBe("http://proxy.example.test:3128/");
  });

  test("retries with backoff by default and honours the user's retry settings", async () => {
    const env = { HOME: tempDir() };
    const plain = await loadNpmOptions(tempDir(), { userconfig: await writeNpmrc([]), env });
    expect(plain.fetchOptions.retry).toMatchObject({ retries: 3, minTimeout: 1000 });

    const userconfig = await writeNpmrc(["fetch-retries=7", "fetch-retry-mintimeout=50"]);
    const tuned = await loadNpmOptions(tempDir(), { userconfig, env });
    expect(tuned.fetchOptions.retry).toMatchObject({ retries: 7, minTimeout: 50 });
  });

  test("reads npm_config_* variables from the given environment without changing it", async () => {
    const env = { HOME: tempDir(), npm_config_registry: "https://env.example.test/" };
    const npm = await loadNpmOptions(tempDir(), { userconfig: await writeNpmrc([]), env });

    expect(npm.registry).toBe("https://env.example.test/");
    expect(env).toEqual({ HOME: tempDir(), npm_config_registry: "https://env.example.test/" });
  });

  test("caches under ENVSTACKS_CACHE_DIR unless a cache is given", async () => {
    const userconfig = await writeNpmrc([]);
    const env = { HOME: tempDir(), ENVSTACKS_CACHE_DIR: join(tempDir(), "cache") };
    const fromEnv = await loadNpmOptions(tempDir(), { userconfig, env });
    expect(fromEnv.cache).toBe(join(tempDir(), "cache", "_cacache"));

    const explicit = await loadNpmOptions(tempDir(), { userconfig, env, cache: "/elsewhere" });
    expect(explicit.cache).toBe("/elsewhere");
  });
});

describe("credentials of a private registry", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
  });

  /** A registry that serves one package, echoes the token in errors and fails on demand. */
  async function startRegistry(): Promise<{ url: string; authHeaders: string[] }> {
    const authHeaders: string[] = [];
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      authHeaders.push(String(req.headers.authorization));
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/private/tiny-pkg") {
        // A tarball URL carrying credentials, as some private registries return.
        const tarball = `http://user:${TOKEN}@${req.headers.host}/private/tiny-pkg/-/tiny-pkg-1.0.0.tgz`;
        json(200, {
          name: "tiny-pkg",
          "dist-tags": { latest: "1.0.0" },
          versions: {
            "1.0.0": {
              name: "tiny-pkg",
              version: "1.0.0",
              dist: { tarball, integrity: FAKE_INTEGRITY },
            },
          },
        });
      } else if (req.url === "/private/teapot-pkg") {
        json(418, { error: `I refuse, your token is ${TOKEN}` });
      } else if (req.url === "/private/broken-pkg") {
        json(503, { error: "unavailable" });
      } else {
        json(404, { error: "Not found" });
      }
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/private/`, authHeaders };
  }

  async function privateNpmOptions(registry: string) {
    const nerfDart = registry.replace(/^https?:/, "");
    const userconfig = await writeNpmrc([
      `registry=${registry}`,
      `${nerfDart}:_authToken=${TOKEN}`,
      "fetch-retries=1",
      "fetch-retry-mintimeout=10",
      "fetch-retry-maxtimeout=20",
    ]);
    return loadNpmOptions(tempDir(), {
      userconfig,
      env: { HOME: tempDir() },
      cache: join(tempDir(), "_cacache"),
    });
  }

  test("the token is sent to the registry but never recorded in resolved URLs", async () => {
    const registry = await startRegistry();
    const npm = await privateNpmOptions(registry.url);

    const layer = await resolveLayer({
      layerName: "app-private",
      requirements: [requirement("tiny-pkg", "^1.0.0")],
      provided: [],
      npm,
    });

    expect(registry.authHeaders).toContain(`Bearer ${TOKEN}`);
    expect(layer.own).toHaveLength(1);
    expect(layer.own[0]?.resolved).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/private\/tiny-pkg\//);
    expect(JSON.stringify(layer)).not.toContain(TOKEN);
  });

  test.each([
    ["teapot-pkg", /app-private: .*teapot-pkg.*E418/],
    ["broken-pkg", /app-private: cannot reach registry 127\.0\.0\.1:\d+ for broken-pkg.*\(E503\)/],
    ["missing-pkg", /app-private: package missing-pkg@\S* not found in registry 127\.0\.0\.1:\d+/],
  ])(
    "an error for %s names the layer and the package, without the token",
    async (name, message) => {
      const registry = await startRegistry();
      const npm = await privateNpmOptions(registry.url);

      const error = await resolveLayer({
        layerName: "app-private",
        requirements: [requirement(name)],
        provided: [],
        npm,
      }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(EnvstacksError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(TOKEN);
    },
  );
});

describe("an unreachable registry", () => {
  test("fails after retries, naming the layer, the package, the host and the code", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise((done) => probe.close(done));
    const userconfig = await writeNpmrc([
      `registry=http://127.0.0.1:${port}/`,
      "fetch-retries=1",
      "fetch-retry-mintimeout=10",
      "fetch-retry-maxtimeout=20",
    ]);
    const npm = await loadNpmOptions(tempDir(), {
      userconfig,
      env: { HOME: tempDir() },
      cache: join(tempDir(), "_cacache"),
    });

    const attempt = resolveLayer({
      layerName: "app-offline",
      requirements: [requirement("ms", "^2.1.0")],
      provided: [],
      npm,
    });

    await expect(attempt).rejects.toThrow(EnvstacksError);
    await expect(attempt).rejects.toThrow(
      `app-offline: cannot reach registry 127.0.0.1:${port} for ms after retries (ECONNREFUSED)`,
    );
  });
});

describe("redactSecrets", () => {
  test("removes known secrets, URL credentials, tokens and authorization values", () => {
    const text = [
      "https://me:hunter22@registry.example.test/x.tgz",
      "//registry.example.test/:_authToken=abc123secret",
      "Authorization: Bearer eyJhbGciOi.xyz",
      `token ${TOKEN}`,
      "custom s3cr3t-value",
    ].join("\n");

    const redacted = redactSecrets(text, ["s3cr3t-value"]);

    for (const secret of ["hunter22", "abc123secret", "eyJhbGciOi", TOKEN, "s3cr3t-value"]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain("registry.example.test");
  });
});
