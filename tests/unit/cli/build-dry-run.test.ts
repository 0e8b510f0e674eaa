import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { runMain } from "./run-main.js";
import { STACK_LAYERS, writeStack } from "./stack-fixture.js";

const tempDir = useTempDir();

interface Plan {
  publish: boolean;
  outputDir: string | null;
  layers: { layerName: string; selection: string; operations: string[] }[];
}

describe("build --dry-run", () => {
  test("--json prints the plan: every layer locked if needed and built", async () => {
    const spec = await writeStack(tempDir());
    const { code, stdout, stderr } = await runMain("build", spec, "--dry-run", "--json");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const plan = JSON.parse(stdout) as Plan;
    expect(plan.publish).toBe(false);
    expect(plan.outputDir).toBeNull();
    expect(plan.layers.map((l) => [l.layerName, l.operations])).toEqual(
      STACK_LAYERS.map((name) => [name, ["lock", "build"]]),
    );
  });

  test("with --publish, the plan publishes into OUTPUT_DIR", async () => {
    const spec = await writeStack(tempDir());
    const out = path.join(tempDir(), "out");
    const { code, stdout } = await runMain("build", "--publish", "--dry-run", "--json", spec, out);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Plan;
    expect(plan).toMatchObject({ publish: true, outputDir: out });
    expect(plan.layers[0]?.operations).toEqual(["lock", "build", "publish"]);
  });

  test("follows layer selection and prints a table without --json", async () => {
    const spec = await writeStack(tempDir());
    const { code, stdout } = await runMain("build", spec, "--dry-run", "--include", "app-tool");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^node-22 .* none \(dependency, used as is\)$/m);
    expect(stdout).toMatch(/^app-server .* none \(not selected\)$/m);
    expect(stdout).toMatch(/^app-tool .* lock build$/m);
  });

  test("builds nothing: the build directory is not created", async () => {
    const spec = await writeStack(tempDir());
    await runMain("build", spec, "--dry-run");
    expect(existsSync(path.join(tempDir(), "_build"))).toBe(false);
  });
});
