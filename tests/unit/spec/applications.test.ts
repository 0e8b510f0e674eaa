import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { ApplicationSpec } from "../../../src/spec/types.js";
import { makeTempDir, removeTempDir, useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack, RUNTIME } from "./spec-helpers.js";

const tempDir = useTempDir();

const app = (...lines: string[]) =>
  `${RUNTIME}[[applications]]\nname = "server"\nruntime = "node-22"\n${lines.join("\n")}\n`;

describe("launch and support modules", () => {
  test("module paths resolve against the spec directory to absolute paths", async () => {
    const spec = await loadStack(
      tempDir(),
      app(
        'launch_module = "launch_modules/server.mjs"',
        'support_modules = ["support/log.cjs", "support/util.js"]',
      ),
      ["launch_modules/server.mjs", "support/log.cjs", "support/util.js"],
    );
    const server = spec.getLayer("app-server") as ApplicationSpec;
    expect(server.launchModule).toBe(path.join(tempDir(), "launch_modules", "server.mjs"));
    expect(server.supportModules).toEqual([
      path.join(tempDir(), "support", "log.cjs"),
      path.join(tempDir(), "support", "util.js"),
    ]);
  });

  test.each([["package.json"], ["index.js"], ["index.mjs"], ["index.cjs"]])(
    "a directory holding %s is a module",
    async (entry) => {
      const spec = await loadStack(tempDir(), app('launch_module = "cli"'), [`cli/${entry}`]);
      expect((spec.getLayer("app-server") as ApplicationSpec).launchModule).toBe(
        path.join(tempDir(), "cli"),
      );
    },
  );

  test("a directory without an entry point is refused", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "cli"'),
      {
        layer: "app-server",
        key: "launch_module",
        says: ['the directory "cli" which holds none of them', "package.json or index.js"],
      },
      ["cli/main.mjs"],
    );
  });

  test("a file that is not .js/.mjs/.cjs is refused", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "server.ts"'),
      {
        layer: "app-server",
        key: "launch_module",
        says: ["expected a .js/.mjs/.cjs file", 'got the file "server.ts"'],
      },
      ["server.ts"],
    );
  });

  test("launch_module is required", async () => {
    await expectSpecError(tempDir(), app(), {
      layer: "app-server",
      key: "launch_module",
      says: ["missing required key"],
    });
  });

  test("launch_module must be a string", async () => {
    await expectSpecError(tempDir(), app("launch_module = 1"), {
      layer: "app-server",
      key: "launch_module",
      says: ["expected a string, got an integer (1)"],
    });
  });

  test("a missing launch module is named with where it was looked for", async () => {
    await expectSpecError(tempDir(), app('launch_module = "launch/server.mjs"'), {
      layer: "app-server",
      key: "launch_module",
      says: ['module not found: "launch/server.mjs"', path.join(tempDir(), "launch", "server.mjs")],
    });
  });

  test("a missing support module is named by its index", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "server.mjs"', 'support_modules = ["a.mjs", "b.mjs"]'),
      {
        layer: "app-server",
        key: "support_modules[1]",
        says: ['module not found: "b.mjs"'],
      },
      ["server.mjs", "a.mjs"],
    );
  });

  test("support_modules must be an array of strings", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "server.mjs"', 'support_modules = "a.mjs"'),
      {
        layer: "app-server",
        key: "support_modules",
        says: ["expected an array of strings"],
      },
      ["server.mjs"],
    );
  });

  test("a path escaping the spec directory with .. is refused", async () => {
    await expectSpecError(tempDir(), app('launch_module = "../outside.mjs"'), {
      layer: "app-server",
      key: "launch_module",
      says: ['"../outside.mjs" resolves outside the spec directory'],
    });
  });

  test("an absolute path is refused", async () => {
    await expectSpecError(tempDir(), app('launch_module = "/etc/passwd"'), {
      layer: "app-server",
      key: "launch_module",
      says: ["expected a path relative to the spec file", '"/etc/passwd"'],
    });
  });

  test("a symlink leading outside the spec directory is refused", async () => {
    const outside = await makeTempDir();
    try {
      await writeFile(path.join(outside, "evil.mjs"), "");
      await symlink(path.join(outside, "evil.mjs"), path.join(tempDir(), "server.mjs"));
      await expectSpecError(tempDir(), app('launch_module = "server.mjs"'), {
        layer: "app-server",
        key: "launch_module",
        says: ["through a symlink", "outside the spec directory"],
      });
    } finally {
      await removeTempDir(outside);
    }
  });

  test("a symlink inside the spec directory keeps the name the spec gave it", async () => {
    await mkdir(path.join(tempDir(), "src"));
    await writeFile(path.join(tempDir(), "src", "real.mjs"), "");
    await symlink(path.join("src", "real.mjs"), path.join(tempDir(), "server.mjs"));
    const spec = await loadStack(tempDir(), app('launch_module = "server.mjs"'));
    expect((spec.getLayer("app-server") as ApplicationSpec).launchModule).toBe(
      path.join(tempDir(), "server.mjs"),
    );
  });

  test("two modules with one basename are refused, naming both", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "launch/util.mjs"', 'support_modules = ["support/util.mjs"]'),
      {
        layer: "app-server",
        key: "support_modules[0]",
        says: ['two modules share the name "util.mjs"', "launch_module and support_modules[0]"],
      },
      ["launch/util.mjs", "support/util.mjs"],
    );
  });

  test("basenames differing only in case clash too (macOS and Windows file systems)", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "server.mjs"', 'support_modules = ["a/Log.mjs", "b/log.mjs"]'),
      {
        layer: "app-server",
        key: "support_modules[1]",
        says: ["two modules share the name", "support_modules[0] and support_modules[1]"],
      },
      ["server.mjs", "a/Log.mjs", "b/log.mjs"],
    );
  });

  test("unknown application keys are named with the allowed ones", async () => {
    await expectSpecError(
      tempDir(),
      app('launch_module = "server.mjs"', 'launch = "server.mjs"'),
      {
        layer: "app-server",
        key: "launch",
        says: ["unknown key", "launch_module, support_modules"],
      },
      ["server.mjs"],
    );
  });
});
