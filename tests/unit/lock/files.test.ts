import { describe, expect, test } from "vitest";
import {
  INHERITED_HEADER,
  npmPackageName,
  parsePackageLock,
  renderInputsManifest,
  renderPackageLock,
  renderPackagesList,
} from "../../../src/lock/lock-files.js";
import { providedPackages } from "../../../src/lock/provided.js";
import type { LockedPackage } from "../../../src/lock/types.js";
import type { Requirement } from "../../../src/spec/types.js";

const requirements: Requirement[] = [
  { raw: "express@^4.21.0", name: "express", range: "^4.21.0", type: "range" },
  { raw: "@scope/pkg", name: "@scope/pkg", range: "*", type: "range" },
];

const own: LockedPackage[] = [
  {
    path: "node_modules/express",
    name: "express",
    version: "4.21.2",
    resolved: "https://registry.npmjs.org/express/-/express-4.21.2.tgz",
    integrity: "sha512-aaa",
    dependencies: { ms: "2.0.0" },
    engines: { node: ">= 0.10.0" },
  },
  {
    path: "node_modules/express/node_modules/ms",
    name: "ms",
    version: "2.0.0",
    resolved: "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz",
    integrity: "sha512-bbb",
  },
  {
    path: "node_modules/ms-alias",
    name: "ms",
    version: "2.1.3",
    resolved: "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
    integrity: "sha512-ccc",
  },
];

describe("package.json (lock inputs)", () => {
  test("is an npm manifest of the direct requirements with sorted keys", () => {
    const text = renderInputsManifest("framework-web", requirements);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).not.toContain("\r");
    expect(JSON.parse(text)).toEqual({
      name: "framework-web",
      version: "0.0.0",
      private: true,
      description: "envstacks lock inputs for framework-web",
      dependencies: { "@scope/pkg": "*", express: "^4.21.0" },
    });
    expect(Object.keys(JSON.parse(text))).toEqual([
      "dependencies",
      "description",
      "name",
      "private",
      "version",
    ]);
  });

  test("layer names become valid npm names", () => {
    expect(npmPackageName("node-22")).toBe("node-22");
    expect(npmPackageName("App.Name")).toBe("app.name");
    expect(npmPackageName("_x y")).toBe("x-y");
  });
});

describe("package-lock.json", () => {
  test("is lockfileVersion 3 with the root entry and one entry per own package", () => {
    const lock = JSON.parse(renderPackageLock("framework-web", requirements, own));
    expect(lock).toMatchObject({ name: "framework-web", lockfileVersion: 3, requires: true });
    expect(lock.packages[""]).toEqual({
      name: "framework-web",
      version: "0.0.0",
      dependencies: { "@scope/pkg": "*", express: "^4.21.0" },
    });
    expect(lock.packages["node_modules/express"]).toEqual({
      version: "4.21.2",
      resolved: "https://registry.npmjs.org/express/-/express-4.21.2.tgz",
      integrity: "sha512-aaa",
      dependencies: { ms: "2.0.0" },
      engines: { node: ">= 0.10.0" },
    });
    // Only an aliased package records its real name.
    expect(lock.packages["node_modules/express/node_modules/ms"].name).toBeUndefined();
    expect(lock.packages["node_modules/ms-alias"].name).toBe("ms");
  });

  test("renders the same bytes whatever order the packages come in", () => {
    const a = renderPackageLock("x", requirements, own);
    const b = renderPackageLock("x", [...requirements].reverse(), [...own].reverse());
    expect(b).toBe(a);
  });

  test("parses back to the own packages", () => {
    const parsed = parsePackageLock(renderPackageLock("x", requirements, own));
    const byPath = (p: LockedPackage[]) => [...p].sort((x, y) => (x.path < y.path ? -1 : 1));
    expect(byPath(parsed)).toEqual(byPath(own));
  });
});

describe("packages-<layer>.txt", () => {
  test("lists own packages sorted, then inherited ones with their layer", () => {
    const text = renderPackagesList(own, [
      { name: "send", version: "0.19.0", layer: "framework-web" },
      { name: "accepts", version: "1.3.8", layer: "framework-web" },
    ]);
    expect(text).toBe(
      [
        "express==4.21.2",
        "ms==2.0.0",
        "ms==2.1.3",
        INHERITED_HEADER,
        "accepts==1.3.8  # framework-web",
        "send==0.19.0  # framework-web",
        "",
      ].join("\n"),
    );
  });

  test("keeps the header when nothing is inherited", () => {
    expect(renderPackagesList([], [])).toBe(`${INHERITED_HEADER}\n`);
  });
});

describe("packages provided by lower locks", () => {
  const pkg = (path: string, version: string): LockedPackage => ({
    path,
    name: path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length),
    version,
    resolved: `https://registry.npmjs.org/x/-/x-${version}.tgz`,
    integrity: `sha512-${version}`,
  });

  test("are the top-level packages, first layer in resolution order winning", () => {
    const provided = providedPackages([
      {
        layerName: "framework-extras",
        requirements: [],
        own: [pkg("node_modules/ms", "2.1.3")],
      },
      {
        layerName: "framework-web",
        requirements: [requirements[0] as Requirement],
        own: [
          pkg("node_modules/express", "4.21.2"),
          pkg("node_modules/express/node_modules/ms", "2.0.0"),
          pkg("node_modules/ms", "2.0.0"),
          pkg("node_modules/@scope/pkg", "1.0.0"),
        ],
      },
    ]);
    expect(provided.map((p) => [p.name, p.version, p.layer, p.direct, p.range])).toEqual([
      ["ms", "2.1.3", "framework-extras", false, undefined],
      ["express", "4.21.2", "framework-web", true, "^4.21.0"],
      ["@scope/pkg", "1.0.0", "framework-web", false, undefined],
    ]);
  });
});
