/**
 * The sample project, built once per run into a temp copy (shared, read-only), runs as its
 * users would run it: every app through its launcher from a local export, again after the
 * export is moved elsewhere; a rebuild with nothing changed does no work; a changed launch
 * module (in a copy) rebuilds only its app.
 */
import { appendFile, mkdir, readdir, rename } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { envstacks } from "../helpers/cli.js";
import { expectSampleAppsRun } from "../helpers/sample-apps.js";
import { runExecutable, SAMPLE_LINUX_X64_TARGETS } from "../helpers/sample-build.js";
import { copySharedSample, useSharedSample } from "../helpers/sample-fixture.js";
import { useTempDir } from "../helpers/temp-dir.js";

const sample = useSharedSample();
const tempDir = useTempDir();
describe("the sample project, built once", () => {
  test("the first build built every layer for this machine", { tags: ["slow"] }, () => {
    const { firstBuild } = sample();
    expect(firstBuild.stdout).toMatch(/^built \d+ layers/m);
    expect(firstBuild.stdout).not.toMatch(/\bup to date\b/);
  });

  test("a second build does no work and is fast", { tags: ["slow"] }, async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await envstacks(["build", "envstacks.toml"], sample().project);
    const seconds = (Date.now() - started) / 1000;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^nothing to do: all 10 layers are up to date$/m);
    expect(stdout).not.toMatch(/\bbuilt\b/);
    expect(stderr).not.toContain("building");
    expect(seconds).toBeLessThan(15);
  });

  test("local-export gives runnable apps, which keep working when the export is moved", {
    tags: ["slow"],
  }, async () => {
    const { project } = sample();
    const exported = path.join(tempDir(), "exported");
    const { code, stdout, stderr } = await envstacks(
      ["local-export", "envstacks.toml", exported],
      project,
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`exported 10 layers to ${exported}`);
    expect((await readdir(exported)).sort()).toEqual(SAMPLE_LINUX_X64_TARGETS);
    await expectSampleAppsRun(exported);

    const hello = path.join(exported, "app-hello", "bin", "app-hello");
    const failing = await runExecutable(hello, ["fail"]);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toContain("hello fail from node v22.14.0");

    const elsewhere = path.join(tempDir(), "moved", "deployment");
    await mkdir(path.dirname(elsewhere));
    await rename(exported, elsewhere);
    await expectSampleAppsRun(elsewhere);
  });

  test("a changed launch module rebuilds only its app", { tags: ["slow"] }, async () => {
    const { project, buildDir } = await copySharedSample(sample(), tempDir());
    // Echo stdin: the rebuilt app shows both the change and the stdin passthrough.
    await appendFile(
      path.join(project, "launch_modules", "hello.mjs"),
      [
        'if (name === "stdin") {',
        '  let text = "";',
        "  for await (const chunk of process.stdin) text += chunk;",
        '  console.log("stdin: " + text);',
        "}",
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await envstacks(["build", "envstacks.toml"], project);
    expect(code, stderr).toBe(0);
    const built = stdout.split("\n").filter((line) => /^\S+\s+built\s/.test(line));
    expect(built.map((line) => line.split(/\s+/)[0])).toEqual(["app-hello"]);
    expect(stdout).toMatch(/^app-hello\s+built\s+app-hello\s+\(app modules changed\)$/m);
    expect(stdout).toMatch(/^built 1 layer, 9 up to date$/m);

    const run = await runExecutable(
      path.join(buildDir, "app-hello", "bin", "app-hello"),
      ["stdin"],
      "piped text",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("stdin: piped text");
  });
});
