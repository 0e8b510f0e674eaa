import { describe, expect, test } from "vitest";
import { EnvstacksError } from "../../../src/errors.js";
import {
  fitsPlatform,
  platformEnvironment,
  selectForPlatform,
} from "../../../src/install/platform.js";
import type { LockedPackage } from "../../../src/lock/types.js";
import type { TargetPlatform } from "../../../src/spec/types.js";

function pkg(path: string, fields: Partial<LockedPackage> = {}): LockedPackage {
  const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
  return {
    path,
    name,
    version: "1.0.0",
    resolved: `https://registry.npmjs.org/${name}/-/x-1.0.0.tgz`,
    integrity: "sha512-AAAA",
    ...fields,
  };
}

describe("platformEnvironment", () => {
  test("maps envstacks platforms to package.json os/cpu (and glibc on Linux)", () => {
    expect(platformEnvironment("linux-x64")).toEqual({ os: "linux", cpu: "x64", libc: "glibc" });
    expect(platformEnvironment("linux-arm64")).toEqual({
      os: "linux",
      cpu: "arm64",
      libc: "glibc",
    });
    expect(platformEnvironment("darwin-arm64")).toEqual({ os: "darwin", cpu: "arm64" });
    expect(platformEnvironment("win32-x64")).toEqual({ os: "win32", cpu: "x64" });
  });
});

describe("fitsPlatform", () => {
  const cases: [Pick<LockedPackage, "os" | "cpu" | "libc">, TargetPlatform, boolean][] = [
    [{}, "linux-x64", true],
    [{ os: ["linux"] }, "linux-x64", true],
    [{ os: ["linux"] }, "darwin-x64", false],
    [{ os: ["darwin", "linux"], cpu: ["arm64"] }, "linux-arm64", true],
    [{ os: ["darwin", "linux"], cpu: ["arm64"] }, "linux-x64", false],
    [{ os: ["!win32"] }, "linux-x64", true],
    [{ os: ["!win32"] }, "win32-x64", false],
    [{ cpu: ["!arm64", "!ia32"] }, "darwin-x64", true],
    [{ cpu: ["!arm64"] }, "win32-arm64", false],
    [{ os: ["any"] }, "win32-arm64", true],
    [{ os: ["linux"], libc: ["glibc"] }, "linux-x64", true],
    [{ os: ["linux"], libc: ["musl"] }, "linux-x64", false],
    [{ libc: ["glibc"] }, "darwin-arm64", false],
  ];
  test.each(cases)("%j on %s: %s", (fields, platform, expected) => {
    expect(fitsPlatform(fields, platform)).toBe(expected);
  });
});

describe("selectForPlatform", () => {
  const esbuildLike = [
    pkg("node_modules/@esbuild/darwin-arm64", { optional: true, os: ["darwin"], cpu: ["arm64"] }),
    pkg("node_modules/@esbuild/linux-x64", { optional: true, os: ["linux"], cpu: ["x64"] }),
    pkg("node_modules/@esbuild/win32-x64", { optional: true, os: ["win32"], cpu: ["x64"] }),
    pkg("node_modules/esbuild", {
      optionalDependencies: {
        "@esbuild/darwin-arm64": "1.0.0",
        "@esbuild/linux-x64": "1.0.0",
        "@esbuild/win32-x64": "1.0.0",
      },
    }),
  ];

  test("keeps the one platform package that fits, in lock order", () => {
    const { install, skipped } = selectForPlatform(esbuildLike, "linux-x64");
    expect(install.map((p) => p.path)).toEqual([
      "node_modules/@esbuild/linux-x64",
      "node_modules/esbuild",
    ]);
    expect(skipped.map((p) => p.name)).toEqual(["@esbuild/darwin-arm64", "@esbuild/win32-x64"]);
  });

  test("skips what only skipped packages need, keeps what others need too", () => {
    const packages = [
      pkg("node_modules/fsevents", {
        optional: true,
        os: ["darwin"],
        dependencies: { helper: "1", nested: "1", shared: "1" },
      }),
      pkg("node_modules/fsevents/node_modules/nested", { optional: true }),
      pkg("node_modules/helper", { optional: true, dependencies: { deep: "1" } }),
      pkg("node_modules/deep", { optional: true }),
      pkg("node_modules/shared", { optional: true }),
      pkg("node_modules/watcher", { optionalDependencies: { fsevents: "1", shared: "1" } }),
      // An optional package nothing depends on is the layer's own optional requirement.
      pkg("node_modules/root-optional", { optional: true }),
    ];
    const linux = selectForPlatform(packages, "linux-x64");
    expect(linux.install.map((p) => p.name)).toEqual(["shared", "watcher", "root-optional"]);
    expect(linux.skipped.map((p) => p.name)).toEqual(["fsevents", "nested", "helper", "deep"]);

    const mac = selectForPlatform(packages, "darwin-arm64");
    expect(mac.skipped).toEqual([]);
  });

  test("nested copies resolve to the nearest node_modules, as node does", () => {
    const packages = [
      pkg("node_modules/a", { dependencies: { b: "2" } }),
      pkg("node_modules/a/node_modules/b", { optional: true, os: ["win32"] }),
      pkg("node_modules/b", { optional: true, dependencies: { c: "1" } }),
      pkg("node_modules/c", { optional: true }),
      pkg("node_modules/d", { optionalDependencies: { b: "1" } }),
    ];
    const { install, skipped } = selectForPlatform(packages, "linux-x64");
    // The top-level b is still needed by d even though a's own b is skipped.
    expect(install.map((p) => p.path)).toEqual([
      "node_modules/a",
      "node_modules/b",
      "node_modules/c",
      "node_modules/d",
    ]);
    expect(skipped.map((p) => p.path)).toEqual(["node_modules/a/node_modules/b"]);
  });

  test("a required package made for another platform is an error naming it", () => {
    const packages = [pkg("node_modules/win-only", { os: ["win32"], cpu: ["x64", "arm64"] })];
    expect(() => selectForPlatform(packages, "linux-x64")).toThrow(EnvstacksError);
    expect(() => selectForPlatform(packages, "linux-x64")).toThrow(
      "win-only@1.0.0 does not support linux-x64 (os: win32; cpu: x64, arm64) and is not optional",
    );
  });
});
