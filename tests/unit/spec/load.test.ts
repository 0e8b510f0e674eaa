import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectRejection, expectSpecError, loadStack, RUNTIME } from "./spec-helpers.js";

const tempDir = useTempDir();

describe("reading the spec file", () => {
  test("a missing file is a clear error naming it", async () => {
    const missing = path.join(tempDir(), "nope.toml");
    await expectRejection(StackSpec.load(missing), missing, {
      says: ["cannot read the stack spec", "file not found"],
    });
  });

  test("a directory is refused", async () => {
    await expectRejection(StackSpec.load(tempDir()), tempDir(), { says: ["not a regular file"] });
  });

  test("a file over 1 MiB is refused before parsing", async () => {
    const big = `${RUNTIME}\n# ${"x".repeat(1024 * 1024)}\n`;
    await expectSpecError(tempDir(), big, { says: ["bytes", "at most 1048576 bytes (1 MiB)"] });
  });

  test("parse() refuses text over 1 MiB too", async () => {
    const big = `${RUNTIME}\n# ${"x".repeat(1024 * 1024)}\n`;
    await expectRejection(StackSpec.parse(big, "big.toml"), "big.toml", { says: ["1 MiB"] });
  });

  test("invalid UTF-8 is refused", async () => {
    const specPath = path.join(tempDir(), "envstacks.toml");
    await writeFile(
      specPath,
      Buffer.concat([Buffer.from(RUNTIME), Buffer.from([0xff, 0xfe, 0x0a])]),
    );
    await expectRejection(StackSpec.load(specPath), specPath, { says: ["not valid UTF-8"] });
  });

  test("malformed TOML names line and column", async () => {
    const toml = `${RUNTIME}requirements = ["ms",\nversioned =\n`;
    await expectSpecError(tempDir(), toml, { says: ["invalid TOML at line 6, column"] });
  });

  test("a duplicate TOML key is a TOML error", async () => {
    const toml = `${RUNTIME}name = "again"\n`;
    await expectSpecError(tempDir(), toml, { says: ["invalid TOML at line 5, column 1"] });
  });

  test("errors name the file as the user gave it", async () => {
    await expectRejection(
      StackSpec.parse("[[runtimes]]\n", "some/dir/stack.toml"),
      "some/dir/stack.toml",
      {
        layer: "runtimes[0]",
        key: "name",
        says: ["missing required key"],
      },
    );
  });

  test("a leading byte order mark is accepted", async () => {
    const spec = await loadStack(tempDir(), `\uFEFF${RUNTIME}`);
    expect(spec.runtimes.map((runtime) => runtime.name)).toEqual(["node-22"]);
  });

  test("parse() resolves paths against the directory of the given path", async () => {
    await mkdir(path.join(tempDir(), "launch"), { recursive: true });
    await writeFile(path.join(tempDir(), "launch", "main.mjs"), "");
    const toml = `${RUNTIME}[[applications]]\nname = "main"\nruntime = "node-22"\nlaunch_module = "launch/main.mjs"\n`;
    const spec = await StackSpec.parse(toml, path.join(tempDir(), "envstacks.toml"));
    expect(spec.applications[0]?.launchModule).toBe(path.join(tempDir(), "launch", "main.mjs"));
    expect(spec.specDir).toBe(tempDir());
  });
});

describe("top-level structure", () => {
  test("an unknown top-level key is named and the allowed keys listed", async () => {
    await expectSpecError(tempDir(), `${RUNTIME}\n[application]\nname = "x"\n`, {
      key: "application",
      says: ["unknown top-level key", "settings, runtimes, frameworks, applications"],
    });
  });

  test("at least one runtime is required", async () => {
    await expectSpecError(tempDir(), `[settings]\nruntime_source = "npm"\n`, {
      key: "runtimes",
      says: ["at least one [[runtimes]] table"],
    });
  });

  test("runtimes = [] is not enough either", async () => {
    await expectSpecError(tempDir(), `runtimes = []\n`, {
      key: "runtimes",
      says: ["at least one"],
    });
  });

  test("[runtimes] as a single table instead of an array of tables is refused", async () => {
    await expectSpecError(tempDir(), `[runtimes]\nname = "node-22"\n`, {
      key: "runtimes",
      says: ["expected an array of tables ([[runtimes]])", "got a table"],
    });
  });

  test("frameworks given as a string is refused", async () => {
    await expectSpecError(tempDir(), `frameworks = "web"\n${RUNTIME}`, {
      key: "frameworks",
      says: ["expected an array of tables ([[frameworks]])", 'got a string ("web")'],
    });
  });

  test("an array element that is not a table is refused", async () => {
    await expectSpecError(tempDir(), `applications = [1]\n${RUNTIME}`, {
      key: "applications[0]",
      says: ["expected an array of tables ([[applications]])", "got an integer (1)"],
    });
  });

  test("settings must be a table", async () => {
    await expectSpecError(tempDir(), `settings = 3\n${RUNTIME}`, {
      layer: "settings",
      says: ["expected a table ([settings])", "got an integer (3)"],
    });
  });
});
