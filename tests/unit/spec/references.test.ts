import { describe, expect, test } from "vitest";
import type { ApplicationSpec, FrameworkSpec } from "../../../src/spec/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack, RUNTIME } from "./spec-helpers.js";

const tempDir = useTempDir();

const NODE_20 = `[[runtimes]]\nname = "node-20"\nnode_implementation = "node@20.19.0"\n`;

/** A `[[frameworks]]` table; `bases` are TOML lines such as `runtime = "node-22"`. */
const framework = (name: string, ...bases: string[]) =>
  `[[frameworks]]\nname = "${name}"\n${bases.join("\n")}\n`;
const app = (name: string, ...bases: string[]) =>
  `[[applications]]\nname = "${name}"\nlaunch_module = "main.mjs"\n${bases.join("\n")}\n`;
const MODULES = ["main.mjs"];

describe("runtime and framework references", () => {
  test("a framework needs a runtime or frameworks", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}${framework("web")}`, {
      layer: "framework-web",
      key: "runtime",
      says: ["expected `runtime` or `frameworks` (or both)"],
    });
  });

  test("an application needs a runtime or frameworks", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${app("server")}`,
      {
        layer: "app-server",
        key: "runtime",
        says: ["expected `runtime` or `frameworks` (or both)"],
      },
      MODULES,
    );
  });

  test("an unknown runtime is named with the declared ones", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}${framework("web", 'runtime = "node-24"')}`, {
      layer: "framework-web",
      key: "runtime",
      says: ['unknown runtime "node-24"', "declared runtimes: node-22"],
    });
  });

  test("an unknown framework is named with the declared ones", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${framework("web", 'runtime = "node-22"')}${app("server", 'frameworks = ["web", "db"]')}`,
      {
        layer: "app-server",
        key: "frameworks[1]",
        says: ['unknown framework "db"', "declared frameworks: web"],
      },
      MODULES,
    );
  });

  test("a framework referenced by its layer name gets a hint", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${framework("web", 'runtime = "node-22"')}${app("server", 'frameworks = ["framework-web"]')}`,
      { layer: "app-server", key: "frameworks[0]", says: ['use the framework\'s name "web"'] },
      MODULES,
    );
  });

  test("a framework listed twice is refused", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${framework("web", 'runtime = "node-22"')}${app("server", 'frameworks = ["web", "web"]')}`,
      {
        layer: "app-server",
        key: "frameworks[1]",
        says: ['framework "web" is listed twice', "frameworks[0] and frameworks[1]"],
      },
      MODULES,
    );
  });

  test("frameworks must be an array of strings", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}${framework("web", 'frameworks = "base"')}`, {
      layer: "framework-web",
      key: "frameworks",
      says: ["expected an array of strings", 'got a string ("base")'],
    });
  });

  test("runtime must be a string", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}${framework("web", 'runtime = ["node-22"]')}`, {
      layer: "framework-web",
      key: "runtime",
      says: ["expected a string, got an array"],
    });
  });

  test("a framework referencing itself is a cycle", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}${framework("a", 'frameworks = ["a"]')}`, {
      layer: "framework-a",
      key: "frameworks",
      says: ["cycle: framework-a -> framework-a"],
    });
  });

  test("two frameworks building on each other form a cycle", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${framework("a", 'frameworks = ["b"]')}${framework("b", 'frameworks = ["a"]')}`,
      {
        layer: "framework-a",
        key: "frameworks",
        says: ["cycle: framework-a -> framework-b -> framework-a"],
      },
    );
  });

  test("a framework building on one declared later is a forward reference", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${framework("extras", 'frameworks = ["web"]')}${framework("web", 'runtime = "node-22"')}`,
      {
        layer: "framework-extras",
        key: "frameworks[0]",
        says: [
          "forward reference",
          "framework-web (frameworks[1]) is declared after framework-extras (frameworks[0])",
          "declare base frameworks before",
        ],
      },
    );
  });

  test("an app listing a base before the framework built on it has an inconsistent order", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${framework("a", 'runtime = "node-22"')}${framework("b", 'frameworks = ["a"]')}${app("server", 'frameworks = ["a", "b"]')}`,
      {
        layer: "app-server",
        key: "frameworks",
        says: ["inconsistent framework order", "framework-a", "framework-b"],
      },
      MODULES,
    );
  });

  test("a framework whose bases order two frameworks both ways has an inconsistent order", async () => {
    const toml = [
      RUNTIME,
      framework("a", 'runtime = "node-22"'),
      framework("b", 'runtime = "node-22"'),
      framework("x", 'frameworks = ["a", "b"]'),
      framework("y", 'frameworks = ["b", "a"]'),
      framework("z", 'frameworks = ["x", "y"]'),
    ].join("");
    await expectSpecError(tempDir(), toml, {
      layer: "framework-z",
      key: "frameworks",
      says: ["inconsistent framework order", "framework-a", "framework-b"],
    });
  });
});

describe("runtime inheritance", () => {
  test("the runtime is inherited from the frameworks", async () => {
    const spec = await loadStack(
      tempDir(),
      `${RUNTIME}${framework("web", 'runtime = "node-22"')}${framework("extras", 'frameworks = ["web"]')}${app("server", 'frameworks = ["extras"]')}`,
      MODULES,
    );
    expect((spec.getLayer("framework-extras") as FrameworkSpec).runtime).toBe("node-22");
    expect((spec.getLayer("app-server") as ApplicationSpec).runtime).toBe("node-22");
  });

  test("frameworks on different runtimes disagree, naming both runtimes and frameworks", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${NODE_20}${framework("web", 'runtime = "node-22"')}${framework("legacy", 'runtime = "node-20"')}${app("server", 'frameworks = ["web", "legacy"]')}`,
      {
        layer: "app-server",
        key: "frameworks",
        says: [
          "runtimes that disagree",
          "framework-web uses node-22",
          "framework-legacy uses node-20",
        ],
      },
      MODULES,
    );
  });

  test("an explicit runtime must equal the frameworks' runtime", async () => {
    await expectSpecError(
      tempDir(),
      `${RUNTIME}${NODE_20}${framework("web", 'runtime = "node-22"')}${framework("extras", 'runtime = "node-20"', 'frameworks = ["web"]')}`,
      {
        layer: "framework-extras",
        key: "runtime",
        says: ["runtimes that disagree", 'runtime = "node-20"', "framework-web uses node-22"],
      },
    );
  });

  test("an explicit runtime equal to the frameworks' runtime is fine", async () => {
    const spec = await loadStack(
      tempDir(),
      `${RUNTIME}${framework("web", 'runtime = "node-22"')}${app("server", 'runtime = "node-22"', 'frameworks = ["web"]')}`,
      MODULES,
    );
    expect((spec.getLayer("app-server") as ApplicationSpec).runtime).toBe("node-22");
  });
});

describe("framework order", () => {
  test("frameworkOrder is the C3 linearisation, nearest first", async () => {
    const toml = [
      RUNTIME,
      framework("base", 'runtime = "node-22"'),
      framework("web", 'frameworks = ["base"]'),
      framework("db", 'frameworks = ["base"]'),
      framework("full", 'frameworks = ["web", "db"]'),
      app("server", 'frameworks = ["full"]'),
      app("plain", 'runtime = "node-22"').replace("main.mjs", "plain.mjs"),
    ].join("");
    const spec = await loadStack(tempDir(), toml, ["main.mjs", "plain.mjs"]);
    const orders = Object.fromEntries(
      spec.layers
        .filter((layer) => layer.kind !== "runtime")
        .map((layer) => [layer.layerName, layer.frameworkOrder]),
    );
    expect(orders).toEqual({
      "framework-base": [],
      "framework-web": ["base"],
      "framework-db": ["base"],
      "framework-full": ["web", "db", "base"],
      "app-server": ["full", "web", "db", "base"],
      "app-plain": [],
    });
  });
});
