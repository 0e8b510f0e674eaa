import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack, RUNTIME } from "./spec-helpers.js";

const tempDir = useTempDir();

const withSettings = (lines: string) => `[settings]\n${lines}\n${RUNTIME}`;

describe("[settings]", () => {
  test("defaults: runtime_source npm, no cut-off, no mirror", async () => {
    const spec = await loadStack(tempDir(), RUNTIME);
    expect(spec.settings).toEqual({ runtimeSource: "npm" });
  });

  test("exclude_newer accepts a TOML offset date-time", async () => {
    const spec = await loadStack(
      tempDir(),
      withSettings("exclude_newer = 2025-06-01T12:30:00+02:00"),
    );
    expect(spec.settings.excludeNewer?.toISOString()).toBe("2025-06-01T10:30:00.000Z");
  });

  test("exclude_newer accepts an RFC 3339 string with a timezone", async () => {
    const spec = await loadStack(tempDir(), withSettings('exclude_newer = "2025-06-01T00:00:00Z"'));
    expect(spec.settings.excludeNewer?.toISOString()).toBe("2025-06-01T00:00:00.000Z");
  });

  test.each([
    ["a local date-time", "exclude_newer = 2025-06-01T00:00:00", "without a timezone"],
    ["a local date", "exclude_newer = 2025-06-01", "without a timezone"],
    ["a string without timezone", 'exclude_newer = "2025-06-01T00:00:00"', '"2025-06-01T00:00:00"'],
    ["a date string", 'exclude_newer = "2025-06-01"', '"2025-06-01"'],
    ["an impossible day", 'exclude_newer = "2025-02-30T00:00:00Z"', '"2025-02-30T00:00:00Z"'],
    ["an integer", "exclude_newer = 20250601", "got an integer (20250601)"],
  ])("exclude_newer refuses %s", async (_what, line, found) => {
    await expectSpecError(tempDir(), withSettings(line), {
      layer: "settings",
      key: "exclude_newer",
      says: ["expected an offset date-time", found],
    });
  });

  test("runtime_source accepts nodejs-dist and a mirror URL", async () => {
    const spec = await loadStack(
      tempDir(),
      withSettings(
        'runtime_source = "nodejs-dist"\nruntime_mirror = "https://mirror.example/dist/"',
      ),
    );
    expect(spec.settings).toEqual({
      runtimeSource: "nodejs-dist",
      runtimeMirror: "https://mirror.example/dist/",
    });
  });

  test("runtime_source refuses other values", async () => {
    await expectSpecError(tempDir(), withSettings('runtime_source = "github"'), {
      layer: "settings",
      key: "runtime_source",
      says: ['expected one of "npm", "nodejs-dist"', 'got "github"'],
    });
  });

  test("runtime_source refuses a non-string", async () => {
    await expectSpecError(tempDir(), withSettings("runtime_source = true"), {
      layer: "settings",
      key: "runtime_source",
      says: ["expected a string", "got a boolean (true)"],
    });
  });

  test.each([["ftp://mirror.example/"], ["not a url"], ["file:///srv/node"]])(
    "runtime_mirror refuses %s",
    async (url) => {
      await expectSpecError(tempDir(), withSettings(`runtime_mirror = "${url}"`), {
        layer: "settings",
        key: "runtime_mirror",
        says: ["expected an http:// or https:// URL", JSON.stringify(url)],
      });
    },
  );

  test("unknown settings keys are named with the allowed ones", async () => {
    await expectSpecError(tempDir(), withSettings('exclude-newer = "2025-06-01T00:00:00Z"'), {
      layer: "settings",
      key: "exclude-newer",
      says: ["unknown key", "exclude_newer, runtime_source, runtime_mirror"],
    });
  });
});
