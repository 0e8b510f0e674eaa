import { describe, expect, test } from "vitest";
import { TARGET_PLATFORMS } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack } from "./spec-helpers.js";

const tempDir = useTempDir();

const runtime = (lines: string) => `[[runtimes]]\nname = "node-22"\n${lines}\n`;

describe("[[runtimes]]", () => {
  test("a minimal runtime gets the documented defaults", async () => {
    const spec = await loadStack(tempDir(), runtime('node_implementation = "node@22.12.0"'));
    expect(spec.runtimes).toEqual([
      {
        kind: "runtime",
        name: "node-22",
        layerName: "node-22",
        nodeImplementation: "node@22.12.0",
        nodeVersion: "22.12.0",
        requirements: [],
        versioned: false,
        platforms: [...TARGET_PLATFORMS],
        allowScripts: [],
      },
    ]);
  });

  test("all keys are read", async () => {
    const spec = await loadStack(
      tempDir(),
      runtime(
        [
          'node_implementation = "node@20.19.0"',
          'requirements = ["semver@^7.6.0"]',
          "versioned = true",
          'platforms = ["linux-x64", "win32-x64"]',
          'allow_scripts = ["esbuild"]',
        ].join("\n"),
      ),
    );
    expect(spec.runtimes[0]).toMatchObject({
      nodeVersion: "20.19.0",
      requirements: [{ raw: "semver@^7.6.0", name: "semver", range: "^7.6.0", type: "range" }],
      versioned: true,
      platforms: ["linux-x64", "win32-x64"],
      allowScripts: ["esbuild"],
    });
  });

  test.each([
    ["node@22"],
    ["node@^22.1.0"],
    ["node@v22.1.0"],
    ["node@22.1"],
    ["node@latest"],
    ["deno@2.0.0"],
    ["22.12.0"],
    ["node@22.12.0 "],
  ])("node_implementation %j is refused: an exact version is expected", async (written) => {
    await expectSpecError(tempDir(), runtime(`node_implementation = "${written}"`), {
      layer: "node-22",
      key: "node_implementation",
      says: ["expected node@X.Y.Z with an exact Node.js version", JSON.stringify(written)],
    });
  });

  test("node_implementation is required", async () => {
    await expectSpecError(tempDir(), runtime(""), {
      layer: "node-22",
      key: "node_implementation",
      says: ["missing required key", "node@X.Y.Z"],
    });
  });

  test("node_implementation must be a string", async () => {
    await expectSpecError(tempDir(), runtime("node_implementation = 22"), {
      layer: "node-22",
      key: "node_implementation",
      says: ["expected a string, got an integer (22)"],
    });
  });

  test("unknown keys are named with the allowed ones", async () => {
    await expectSpecError(
      tempDir(),
      runtime('node_implementation = "node@22.12.0"\nruntime = "x"'),
      {
        layer: "node-22",
        key: "runtime",
        says: [
          "unknown key",
          "allowed keys are: name, requirements, versioned, platforms, allow_scripts, node_implementation",
        ],
      },
    );
  });

  test("versioned must be a boolean", async () => {
    await expectSpecError(
      tempDir(),
      runtime('node_implementation = "node@22.12.0"\nversioned = "yes"'),
      {
        layer: "node-22",
        key: "versioned",
        says: ["expected a boolean (true or false)", 'got a string ("yes")'],
      },
    );
  });

  test("a nested table is an unknown key", async () => {
    await expectSpecError(
      tempDir(),
      `${runtime('node_implementation = "node@22.12.0"')}[runtimes.extra]\nx = 1\n`,
      {
        layer: "node-22",
        key: "extra",
        says: ["unknown key"],
      },
    );
  });
});
