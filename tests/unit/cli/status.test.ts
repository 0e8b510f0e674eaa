import path from "node:path";
import { describe, expect, test } from "vitest";
import type { StackStatus } from "../../../src/env/build-environment.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { runMain } from "./run-main.js";
import { STACK_LAYERS, writeStack } from "./stack-fixture.js";

const tempDir = useTempDir();

async function statusJson(...args: string[]): Promise<StackStatus> {
  const { code, stdout, stderr } = await runMain("status", "--json", ...args);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(stdout) as StackStatus;
}

describe("status", () => {
  test("prints an aligned table: layer, kind, install target, lock state, operations", async () => {
    const spec = await writeStack(tempDir());
    const { code, stdout, stderr } = await runMain("status", spec);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^LAYER +KIND +INSTALL TARGET +LOCK +OPERATIONS$/);
    expect(lines.slice(1).map((line) => line.split(/ {2,}/)[0])).toEqual(STACK_LAYERS);
    expect(lines[1]).toMatch(/^node-22 +runtime +node-22@1 +missing\b.* +lock build publish$/);
    expect(lines[4]).toMatch(/^app-server +application +app-server +missing\b/);
    // Columns line up: every row has its kind, then its install target, at the heading's offset.
    for (const heading of ["KIND", "INSTALL TARGET"]) {
      const column = lines[0]?.indexOf(heading) ?? -1;
      for (const line of lines.slice(1)) {
        expect(line[column - 1]).toBe(" ");
        expect(line.slice(column)).toMatch(
          /^(runtime|framework|application|node-22|framework-|app-)/,
        );
      }
    }
  });

  test("--json gives the same information as data", async () => {
    const spec = await writeStack(tempDir());
    const status = await statusJson(spec);
    expect(status.spec).toBe(spec);
    expect(status.layers.map((l) => l.layerName)).toEqual(STACK_LAYERS);
    expect(status.layers[0]).toMatchObject({
      layerName: "node-22",
      kind: "runtime",
      installTarget: "node-22@1",
      lock: { status: "missing" },
      selection: "selected",
      operations: ["lock", "build", "publish"],
    });
    expect(status.unmatchedPatterns).toEqual([]);
  });

  test("the build directory defaults to _build beside the spec", async () => {
    const spec = await writeStack(tempDir());
    expect((await statusJson(spec)).buildDir).toBe(path.join(tempDir(), "_build"));
  });

  test("a relative --build-dir is resolved against the working directory", async () => {
    const spec = await writeStack(tempDir());
    const status = await statusJson(spec, "--build-dir", "some/build");
    expect(status.buildDir).toBe(path.resolve("some/build"));
  });

  test("--include shows selected, dependency, derived and unselected layers", async () => {
    const spec = await writeStack(tempDir());
    const { code, stdout } = await runMain("status", spec, "--include", "framework-base");
    expect(code).toBe(0);
    const operations = Object.fromEntries(
      stdout
        .trimEnd()
        .split("\n")
        .slice(1)
        .map((line) => [line.split(/ {2,}/)[0], line.split(/ {2,}/).at(-1)]),
    );
    expect(operations).toEqual({
      "node-22": "none (dependency, used as is)",
      "framework-base": "lock build publish",
      "framework-web": "lock (derived)",
      "app-server": "lock (derived)",
      "app-tool": "none (not selected)",
    });
  });

  test("--include-dependencies gives lower layers the operations too", async () => {
    const spec = await writeStack(tempDir());
    const status = await statusJson(spec, "--include", "app-server", "--include-dependencies");
    expect(status.layers.map((l) => [l.layerName, l.selection, l.operations.length])).toEqual([
      ["node-22", "dependency", 3],
      ["framework-base", "dependency", 3],
      ["framework-web", "dependency", 3],
      ["app-server", "selected", 3],
      ["app-tool", "not selected", 0],
    ]);
  });

  test("an --include pattern matching no layer is one error line, exit 2", async () => {
    const spec = await writeStack(tempDir());
    const { code, stdout, stderr } = await runMain("status", spec, "--include", "app-nope");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^envstacks: error: no layer matches --include pattern "app-nope" .*\n$/,
    );
    expect(stderr.split("\n")).toHaveLength(2);
  });

  test("--allow-missing turns the unmatched pattern into a warning", async () => {
    const spec = await writeStack(tempDir());
    const { code, stdout, stderr } = await runMain(
      "status",
      spec,
      "--include",
      "app-nope",
      "--include",
      "app-t*",
      "--allow-missing",
    );
    expect(code).toBe(0);
    expect(stderr).toBe('envstacks: warning: no layer matches --include pattern "app-nope"\n');
    expect(stdout).toMatch(/^app-tool .* lock build publish$/m);
  });

  test("a spec that does not exist is a spec error naming the file", async () => {
    const missing = path.join(tempDir(), "missing.toml");
    const { code, stdout, stderr } = await runMain("status", missing);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^envstacks: error: ${escapeRegExp(missing)}: .*\\n$`));
  });

  test("an invalid spec is one line naming file, layer and key", async () => {
    const spec = await writeStack(
      tempDir(),
      '[[runtimes]]\nname = "node-22"\nnode_implementation = "node@22.12.0"\nfavourite = 1\n',
    );
    const { code, stderr } = await runMain("status", spec);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^envstacks: error: .*envstacks\.toml: node-22: favourite: .*\n$/);
    expect(stderr).not.toContain("    at ");
  });

  test("a failure that is not a user error is reported as a bug, exit 70", async () => {
    const spec = await writeStack(tempDir());
    const { main } = await import("../../../src/cli/main.js");
    let stderr = "";
    const code = await main(["node", "envstacks", "status", spec], {
      stdout: {
        write: () => {
          throw new Error("stdout is gone");
        },
      },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(70);
    expect(stderr).toContain("envstacks: internal error");
    expect(stderr).toContain("Error: stdout is gone\n    at ");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
