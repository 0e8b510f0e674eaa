import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack, RUNTIME } from "./spec-helpers.js";

const tempDir = useTempDir();

const framework = (lines: string) =>
  `${RUNTIME}[[frameworks]]\nname = "web"\nruntime = "node-22"\n${lines}\n`;

describe("requirements", () => {
  test("registry specs are parsed into name, range and type", async () => {
    const spec = await loadStack(
      tempDir(),
      framework(
        `requirements = ["express@^4.21.0", "@sindresorhus/slugify@2.2.1", "ms", "debug@latest", "kleur@>=4 <5"]`,
      ),
    );
    expect(spec.getLayer("framework-web")?.requirements).toEqual([
      { raw: "express@^4.21.0", name: "express", range: "^4.21.0", type: "range" },
      {
        raw: "@sindresorhus/slugify@2.2.1",
        name: "@sindresorhus/slugify",
        range: "2.2.1",
        type: "version",
      },
      { raw: "ms", name: "ms", range: "*", type: "range" },
      { raw: "debug@latest", name: "debug", range: "latest", type: "tag" },
      { raw: "kleur@>=4 <5", name: "kleur", range: ">=4 <5", type: "range" },
    ]);
  });

  test.each([
    ["git+https://github.com/expressjs/express.git", "git"],
    ["expressjs/express", "git"],
    ["file:../express.tgz", "file"],
    ["./vendor/express", "directory"],
    ["https://example.com/express.tgz", "remote"],
    ["express@npm:koa@2", "alias"],
  ])("%s is refused: a registry spec is expected (%s)", async (raw, type) => {
    await expectSpecError(tempDir(), framework(`requirements = ["ms", "${raw}"]`), {
      layer: "framework-web",
      key: "requirements[1]",
      says: ["expected a registry spec like name@range", JSON.stringify(raw), `a ${type} spec`],
    });
  });

  test.each([["Express@4"], ["_private@1"], ["ms@1.2.3.4"], ["@scope"]])(
    "the malformed requirement %j is refused",
    async (raw) => {
      await expectSpecError(tempDir(), framework(`requirements = ["${raw}"]`), {
        layer: "framework-web",
        key: "requirements[0]",
        says: ["expected a registry spec like name@range", JSON.stringify(raw)],
      });
    },
  );

  test("requirements must be an array of strings", async () => {
    await expectSpecError(tempDir(), framework(`requirements = "express"`), {
      layer: "framework-web",
      key: "requirements",
      says: ["expected an array of strings", 'got a string ("express")'],
    });
  });

  test("each requirement must be a string", async () => {
    await expectSpecError(tempDir(), framework(`requirements = ["ms", 4]`), {
      layer: "framework-web",
      key: "requirements[1]",
      says: ["expected a string, got an integer (4)"],
    });
  });

  test("the same package twice in one layer is refused", async () => {
    await expectSpecError(
      tempDir(),
      framework(`requirements = ["ms@^2.0.0", "express", "ms@2.1.3"]`),
      {
        layer: "framework-web",
        key: "requirements[2]",
        says: ["package ms is required twice in one layer", "requirements[0] and requirements[2]"],
      },
    );
  });

  test("a runtime's requirements are checked the same way", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}requirements = ["file:x.tgz"]\n`, {
      layer: "node-22",
      key: "requirements[0]",
      says: ["registry spec"],
    });
  });
});

describe("allow_scripts", () => {
  test("valid package names are kept", async () => {
    const spec = await loadStack(
      tempDir(),
      framework(`allow_scripts = ["esbuild", "@parcel/watcher"]`),
    );
    expect(spec.getLayer("framework-web")?.allowScripts).toEqual(["esbuild", "@parcel/watcher"]);
  });

  test.each([["esbuild@0.25.0"], ["Esbuild"], ["../esbuild"], [""]])(
    "%j is not a package name",
    async (name) => {
      await expectSpecError(tempDir(), framework(`allow_scripts = ["${name}"]`), {
        layer: "framework-web",
        key: "allow_scripts[0]",
        says: ["expected an npm package name", JSON.stringify(name)],
      });
    },
  );

  test("a package listed twice is refused", async () => {
    await expectSpecError(tempDir(), framework(`allow_scripts = ["esbuild", "esbuild"]`), {
      layer: "framework-web",
      key: "allow_scripts[1]",
      says: ["listed twice"],
    });
  });

  test("allow_scripts must be an array of strings", async () => {
    await expectSpecError(tempDir(), framework(`allow_scripts = true`), {
      layer: "framework-web",
      key: "allow_scripts",
      says: ["expected an array of strings, got a boolean (true)"],
    });
  });
});
