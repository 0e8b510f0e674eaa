/**
 * `envstacks lock` as a user runs it, against the real npm registry: a stack locks, its
 * status turns valid, a second run with --if-needed does nothing, and bad requirements
 * fail with one line naming the culprit.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();

async function writeSpec(dir: string, appRequirements: string[]): Promise<void> {
  await mkdir(path.join(dir, "launch_modules"), { recursive: true });
  await writeFile(path.join(dir, "launch_modules", "app.mjs"), "console.log('hi');\n");
  await writeFile(
    path.join(dir, "envstacks.toml"),
    `[settings]
exclude_newer = "2026-11-01T00:00:00Z"

[[runtimes]]
name = "node-22"
node_implementation = "node@22.14.0"
platforms = ["linux-x64"]

[[frameworks]]
name = "utils"
runtime = "node-22"
requirements = ["lodash@^4.17.21"]
versioned = true

[[applications]]
name = "app"
launch_module = "launch_modules/app.mjs"
frameworks = ["utils"]
requirements = ${JSON.stringify(appRequirements)}
`,
  );
}

interface StatusJson {
  layers: { layerName: string; installTarget: string; lock: { status: string } }[];
}

describe("envstacks lock", () => {
  test("locks every layer, then --if-needed leaves valid locks alone", {
    tags: ["slow"],
  }, async () => {
    const dir = tempDir();
    await writeSpec(dir, ["ms@^2.1.3"]);

    const first = await envstacks(["lock", "envstacks.toml"], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^framework-utils\s+locked\s+framework-utils@1$/m);
    for (const file of [
      "package.json",
      "package-lock.json",
      "lock-meta.json",
      "packages-app-app.txt",
    ]) {
      await access(path.join(dir, "requirements", "app-app", file));
    }

    const status = await envstacks(["status", "envstacks.toml", "--json"], dir);
    const layers = (JSON.parse(status.stdout) as StatusJson).layers;
    expect(layers.map((l) => [l.layerName, l.lock.status])).toEqual([
      ["node-22", "valid"],
      ["framework-utils", "valid"],
      ["app-app", "valid"],
    ]);

    const again = await envstacks(["lock", "envstacks.toml", "--if-needed", "--json"], dir);
    expect(again.code, again.stderr).toBe(0);
    const actions = (JSON.parse(again.stdout) as { layers: { action: string }[] }).layers;
    expect(actions.map((l) => l.action)).toEqual(["skipped", "skipped", "skipped"]);
  });

  test("a requirement conflicting with a framework's direct requirement fails, naming both", {
    tags: ["slow"],
  }, async () => {
    const dir = tempDir();
    await writeSpec(dir, ["lodash@^3.10.0"]);

    const { code, stdout, stderr } = await envstacks(["lock", "envstacks.toml"], dir);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    const errors = stderr.split("\n").filter((line) => line.startsWith("envstacks: error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /app-app: requirement lodash@\^3\.10\.0 conflicts with lodash 4\.\d+\.\d+ required directly by framework-utils \(lodash@\^4\.17\.21\)/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    await expect(
      access(path.join(dir, "requirements", "app-app", "lock-meta.json")),
    ).rejects.toThrow();
  });

  test("an unknown package fails naming it", { tags: ["slow"] }, async () => {
    const dir = tempDir();
    await writeSpec(dir, ["envstacks-no-such-package-xyz@^1.0.0"]);
    const { code, stderr } = await envstacks(["lock", "envstacks.toml"], dir);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^envstacks: error: .*envstacks-no-such-package-xyz/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
