/**
 * Layer-aware resolution against the real npm registry: own and inherited packages,
 * conflicts and shadowing, exclude_newer, platform-specific optional packages, relocks.
 * Lower layers' `provided` lists are built by hand from layers resolved here.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import pacote from "pacote";
import semver from "semver";
import { beforeEach, describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import { loadNpmOptions, type NpmOptions } from "../../../src/lock/npm-config.js";
import { resolveLayer } from "../../../src/lock/resolve.js";
import type { ProvidedPackage, ResolvedLayer } from "../../../src/lock/types.js";
import type { Requirement } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir("envstacks-resolve-");
let npm: NpmOptions;

beforeEach(async () => {
  const cacheRoot = process.env.ENVSTACKS_CACHE_DIR ?? join(tmpdir(), "envstacks-test-cache");
  // The user's real npm config (here: omit-lockfile-registry-resolved, an unknown `nodedir`).
  npm = await loadNpmOptions(tempDir(), { cache: join(cacheRoot, "_cacache") });
});

function req(raw: string): Requirement {
  const at = raw.lastIndexOf("@");
  const name = at > 0 ? raw.slice(0, at) : raw;
  const range = at > 0 ? raw.slice(at + 1) : "*";
  const type = semver.valid(range) ? "version" : semver.validRange(range) ? "range" : "tag";
  return { raw, name, range, type };
}

/** What a resolved layer provides: its top-level own packages, as the lock files will say. */
function providedBy(
  layer: string,
  resolved: ResolvedLayer,
  requirements: Requirement[],
): ProvidedPackage[] {
  return resolved.own
    .filter((p) => p.path === `node_modules/${p.name}`)
    .map((p) => {
      const direct = requirements.find((r) => r.name === p.name);
      return {
        name: p.name,
        version: p.version,
        layer,
        direct: direct !== undefined,
        ...(direct && { range: direct.range }),
        resolved: p.resolved,
        integrity: p.integrity,
      };
    });
}

async function resolveFramework(requirements: Requirement[]): Promise<ProvidedPackage[]> {
  const resolved = await resolveLayer({
    layerName: "framework-web",
    requirements,
    provided: [],
    npm,
  });
  return providedBy("framework-web", resolved, requirements);
}

function paths(layer: ResolvedLayer): string[] {
  return layer.own.map((p) => `${p.path}@${p.version}`);
}

describe("resolveLayer", () => {
  test("a plain layer owns its packages, with registry URL and sha512 integrity", {
    tags: ["slow"],
  }, async () => {
    const layer = await resolveLayer({
      layerName: "app-plain",
      requirements: [req("ms@^2.1.0")],
      provided: [],
      npm,
    });

    expect(layer.inherited).toEqual([]);
    expect(layer.own).toHaveLength(1);
    const ms = layer.own[0];
    expect(ms).toMatchObject({ path: "node_modules/ms", name: "ms", license: "MIT" });
    expect(semver.satisfies(ms?.version ?? "", "^2.1.0")).toBe(true);
    // Recorded although the user's npm config says omit-lockfile-registry-resolved.
    expect(ms?.resolved).toBe(`https://registry.npmjs.org/ms/-/ms-${ms?.version}.tgz`);
    expect(ms?.integrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
  });

  test("a requirement a lower layer satisfies is inherited, not owned", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("ms@2.1.3")]);

    const layer = await resolveLayer({
      layerName: "app-server",
      requirements: [req("ms@^2.1.0")],
      provided,
      npm,
    });

    expect(layer.own).toEqual([]);
    expect(layer.inherited).toEqual([{ name: "ms", version: "2.1.3", layer: "framework-web" }]);
  });

  test("a dist-tag requirement is inherited when the lower layer has the tagged version", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("ms@latest")]);
    const ms = provided.find((p) => p.name === "ms");

    const layer = await resolveLayer({
      layerName: "app-server",
      requirements: [req("ms@latest")],
      provided,
      npm,
    });

    expect(layer.own).toEqual([]);
    expect(layer.inherited).toEqual([{ name: "ms", version: ms?.version, layer: "framework-web" }]);
  });

  test("a package a lower layer has transitively is shared, with its own dependencies", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("express@4.21.2")]);
    expect(provided.find((p) => p.name === "debug")).toMatchObject({
      version: "2.6.9",
      direct: false,
    });

    const layer = await resolveLayer({
      layerName: "app-server",
      requirements: [req("debug@2.6.9")],
      provided,
      npm,
    });

    // debug's own dependency (ms@2.0.0) stays with the framework: nothing is owned, and
    // everything the framework provides is listed as inherited.
    expect(layer.own).toEqual([]);
    expect(layer.inherited).toContainEqual({
      name: "debug",
      version: "2.6.9",
      layer: "framework-web",
    });
    expect(layer.inherited.map((p) => p.name)).toEqual(provided.map((p) => p.name).sort());
  });

  test("optional platform packages the registry cannot provide are left out, as npm does", {
    tags: ["slow"],
  }, async () => {
    // rollup@4.67.3 lists @rollup/<platform> packages at 4.67.3; registries may lack some
    // (this machine's mirror has no @rollup/rollup-android-arm-eabi@4.67.3).
    const layer = await resolveLayer({
      layerName: "framework-tools",
      requirements: [req("rollup@4.67.3")],
      provided: [],
      npm,
    });

    expect(layer.own.filter((p) => !p.resolved || !p.integrity)).toEqual([]);
    expect(layer.own.find((p) => p.path === "node_modules/rollup")?.version).toBe("4.67.3");
    expect(layer.own.find((p) => p.name === "@rollup/rollup-linux-x64-gnu")).toMatchObject({
      optional: true,
      os: ["linux"],
      cpu: ["x64"],
    });
  });

  test("a requirement conflicting with a lower layer's direct requirement fails, naming both", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("lodash@^4.17.21")]);
    const lodash = provided.find((p) => p.name === "lodash");

    const attempt = resolveLayer({
      layerName: "app-legacy",
      requirements: [req("lodash@^3.10.0")],
      provided,
      npm,
    });

    await expect(attempt).rejects.toThrow(EnvstacksError);
    await expect(attempt).rejects.toThrow(
      `app-legacy: requirement lodash@^3.10.0 conflicts with lodash ${lodash?.version} ` +
        "required directly by framework-web (lodash@^4.17.21)",
    );
  });

  test("a requirement conflicting with a lower layer's transitive package shadows it", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("debug@2.6.9")]);
    expect(provided.find((p) => p.name === "ms")).toMatchObject({
      version: "2.0.0",
      direct: false,
    });

    const layer = await resolveLayer({
      layerName: "app-server",
      requirements: [req("ms@^2.1.3")],
      provided,
      npm,
    });

    expect(paths(layer)).toEqual([expect.stringMatching(/^node_modules\/ms@2\.1\.\d+$/)]);
    // The own copy shadows the provided ms: it is not also listed as inherited.
    expect(layer.inherited.map((p) => p.name)).toEqual(["debug"]);
  });

  test("a dependency needing a version the lower layer lacks is nested under its dependent", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("debug@2.6.9")]);

    const layer = await resolveLayer({
      layerName: "app-server",
      requirements: [req("debug@4.3.4")],
      provided: provided.filter((p) => p.name === "ms"),
      npm,
    });

    // debug@4.3.4 needs ms@2.1.2; the lower layer's ms@2.0.0 cannot serve it.
    expect(paths(layer)).toEqual([
      "node_modules/debug@4.3.4",
      "node_modules/debug/node_modules/ms@2.1.2",
    ]);
    // The provided ms stays visible at the top: inherited, though debug@4 cannot use it.
    expect(layer.inherited).toEqual([{ name: "ms", version: "2.0.0", layer: "framework-web" }]);
  });

  test("exclude_newer (before) only uses versions published before it", {
    tags: ["slow"],
  }, async () => {
    const packument = await pacote.packument("semver", {
      ...npm.fetchOptions,
      cache: npm.cache,
      fullMetadata: true,
    });
    const published = (v: string) => Date.parse(packument.time?.[v] ?? "");
    const latest = packument["dist-tags"].latest ?? "";
    // Just before the latest release: the latest version must not be picked.
    const before = new Date(published(latest) - 1000);
    const expected = semver.maxSatisfying(
      Object.keys(packument.versions).filter((v) => published(v) < before.getTime()),
      "*",
    );

    const layer = await resolveLayer({
      layerName: "app-old",
      requirements: [req("semver")],
      provided: [],
      before,
      npm,
    });

    expect(expected).not.toBe(latest);
    expect(paths(layer)).toEqual([`node_modules/semver@${expected}`]);
  });

  test("platform-specific optional packages are all locked, whatever this machine is", {
    tags: ["slow"],
  }, async () => {
    const layer = await resolveLayer({
      layerName: "app-tools",
      requirements: [req("esbuild@0.24.2")],
      provided: [],
      npm,
    });

    const esbuild = layer.own.find((p) => p.path === "node_modules/esbuild");
    const platformPackages = Object.keys(esbuild?.optionalDependencies ?? {});
    expect(platformPackages).toEqual(
      expect.arrayContaining(["@esbuild/linux-x64", "@esbuild/darwin-arm64", "@esbuild/win32-x64"]),
    );
    for (const name of platformPackages) {
      const pkg = layer.own.find((p) => p.path === `node_modules/${name}`);
      expect(pkg, name).toMatchObject({ name, version: "0.24.2", optional: true });
      expect(pkg?.os?.length, name).toBe(1);
      expect(pkg?.cpu?.length, name).toBe(1);
    }
    expect(layer.own.find((p) => p.path === "node_modules/@esbuild/darwin-arm64")).toMatchObject({
      os: ["darwin"],
      cpu: ["arm64"],
    });
    expect(esbuild).toMatchObject({ bin: { esbuild: "bin/esbuild" }, hasInstallScript: true });
  });

  test("a required package for another platform is locked with its os", {
    tags: ["slow"],
  }, async () => {
    const layer = await resolveLayer({
      layerName: "app-mac",
      requirements: [req("fsevents@2.3.3")],
      provided: [],
      npm,
    });

    expect(layer.own).toEqual([
      expect.objectContaining({ path: "node_modules/fsevents", version: "2.3.3", os: ["darwin"] }),
    ]);
  });

  test("relocking with the previous result and unchanged inputs gives the same result", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("debug@2.6.9")]);
    const input = {
      layerName: "app-server",
      requirements: [req("express@4.21.2"), req("esbuild@0.24.2")],
      provided,
      npm,
    };
    const first = await resolveLayer(input);

    const again = await resolveLayer({ ...input, previous: first });

    expect(again).toEqual(first);
  });

  test("previous choices are kept while they still satisfy the requirements", {
    tags: ["slow"],
  }, async () => {
    const previous = await resolveLayer({
      layerName: "app-server",
      requirements: [req("ms@2.1.2")],
      provided: [],
      npm,
    });

    const relocked = await resolveLayer({
      layerName: "app-server",
      requirements: [req("ms@^2.1.0")],
      provided: [],
      previous,
      npm,
    });

    expect(paths(relocked)).toEqual(["node_modules/ms@2.1.2"]);
  });

  test("a peer dependency a lower layer's package cannot satisfy fails, naming that layer", {
    tags: ["slow"],
  }, async () => {
    const provided = await resolveFramework([req("react@17.0.2")]);

    const attempt = resolveLayer({
      layerName: "app-ui",
      requirements: [req("react-dom@18.2.0")],
      provided,
      npm,
    });

    await expect(attempt).rejects.toThrow(EnvstacksError);
    await expect(attempt).rejects.toThrow(
      "app-ui: conflicting peer dependencies: react-dom requires react@^18.2.0 " +
        "but react@17.0.2 is provided by framework-web (ERESOLVE)",
    );
  });

  test("an unknown package fails with one error naming the layer and the package", {
    tags: ["slow"],
  }, async () => {
    const name = "envstacks-no-such-package-4f1c9d";

    const attempt = resolveLayer({
      layerName: "app-typo",
      requirements: [req(`${name}@^1.0.0`)],
      provided: [],
      npm,
    });

    await expect(attempt).rejects.toThrow(EnvstacksError);
    await expect(attempt).rejects.toThrow(new RegExp(`^app-typo: package ${name}\\S* not found`));
  });

  test("no matching version names the package and mentions exclude_newer when set", {
    tags: ["slow"],
  }, async () => {
    const attempt = resolveLayer({
      layerName: "app-future",
      requirements: [req("ms@^99.0.0")],
      provided: [],
      before: new Date("2024-01-01T00:00:00Z"),
      npm,
    });

    await expect(attempt).rejects.toThrow(EnvstacksError);
    await expect(attempt).rejects.toThrow(
      /^app-future: no version published before exclude_newer \(2024-01-01T00:00:00\.000Z\) matches ms@\^99\.0\.0/,
    );
  });
});
