import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack, RUNTIME } from "./spec-helpers.js";

const tempDir = useTempDir();

describe("layer names", () => {
  test("layer names derive from the kind: runtime as is, framework-<name>, app-<name>", async () => {
    const spec = await loadStack(
      tempDir(),
      `${RUNTIME}[[frameworks]]\nname = "web.v2_x"\nruntime = "node-22"\n[[applications]]\nname = "0server"\nruntime = "node-22"\nlaunch_module = "main.mjs"\n`,
      ["main.mjs"],
    );
    expect(spec.layers.map((layer) => layer.layerName)).toEqual([
      "node-22",
      "framework-web.v2_x",
      "app-0server",
    ]);
  });

  test.each([
    ["Web", "uppercase"],
    ["-web", "a leading dash"],
    ["web/ui", "a slash"],
    ["web\\\\ui", "a backslash"],
    ["@scope", "an at sign"],
    ["a..b", "two dots"],
    ["", "nothing"],
    ["web ui", "a space"],
  ])("the name %j is refused (%s)", async (name) => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}[[frameworks]]\nname = "${name}"\nruntime = "node-22"\n`,
      {
        layer: "frameworks[0]",
        key: "name",
        says: ["expected a name matching ^[a-z0-9][a-z0-9._-]*$"],
      },
    );
  });

  test("a name over 100 characters is refused", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}[[frameworks]]\nname = "${"a".repeat(101)}"\nruntime = "node-22"\n`,
      {
        layer: "frameworks[0]",
        key: "name",
        says: ["at most 100 characters", "got 101 characters"],
      },
    );
  });

  test("a missing name is reported against the unnamed table", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}[[frameworks]]\nname = "a"\nruntime = "node-22"\n[[frameworks]]\nruntime = "node-22"\n`,
      {
        layer: "frameworks[1]",
        key: "name",
        says: ["missing required key", "a layer name"],
      },
    );
  });

  test("a name of the wrong type says what was found", async () => {
    await expectSpecError(tempDir(), `[[runtimes]]\nname = ["node"]\n`, {
      layer: "runtimes[0]",
      key: "name",
      says: ["expected a string, got an array"],
    });
  });

  test("two frameworks with one name name both tables", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}[[frameworks]]\nname = "web"\nruntime = "node-22"\n[[frameworks]]\nname = "web"\nruntime = "node-22"\n`,
      {
        layer: "framework-web",
        key: "name",
        says: ["duplicate layer name", "frameworks[0] and frameworks[1]"],
      },
    );
  });

  test("a runtime called framework-web clashes with framework web", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}[[runtimes]]\nname = "framework-web"\nnode_implementation = "node@22.12.0"\n[[frameworks]]\nname = "web"\nruntime = "node-22"\n`,
      {
        layer: "framework-web",
        key: "name",
        says: ["duplicate layer name", "runtimes[1] and frameworks[0]", "unique across the stack"],
      },
    );
  });

  test("a framework and an application may share a spec name (their layer names differ)", async () => {
    const spec = await loadStack(
      tempDir(),
      `${RUNTIME}[[frameworks]]\nname = "web"\nruntime = "node-22"\n[[applications]]\nname = "web"\nframeworks = ["web"]\nlaunch_module = "web.mjs"\n`,
      ["web.mjs"],
    );
    expect(spec.getLayer("app-web")?.kind).toBe("application");
    expect(spec.getLayer("framework-web")?.kind).toBe("framework");
  });
});
