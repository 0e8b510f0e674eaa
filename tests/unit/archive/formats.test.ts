import { describe, expect, test } from "vitest";
import {
  ARCHIVE_FORMATS,
  archiveExtension,
  defaultArchiveFormat,
  formatOfPath,
} from "../../../src/archive/formats.js";
import { archiveMtime, wholeSecondsMtime } from "../../../src/archive/mtime.js";
import { EnvstacksError } from "../../../src/errors.js";

describe("archive formats", () => {
  test("extensions, and the format of a path by its extension", () => {
    expect(ARCHIVE_FORMATS.map(archiveExtension)).toEqual([".tar", ".tar.gz", ".tar.xz", ".zip"]);
    expect(formatOfPath("out/node-22.tar.xz")).toBe("tar.xz");
    expect(formatOfPath("out/framework-web@1.tar.gz")).toBe("tar.gz");
    expect(formatOfPath("x.TGZ")).toBe("tar.gz");
    expect(formatOfPath("app.tar")).toBe("tar");
    expect(formatOfPath("C:\\out\\app-server.zip")).toBe("zip");
    expect(formatOfPath("notes.gz")).toBeUndefined();
    expect(formatOfPath("layer.json")).toBeUndefined();
  });

  test("zip for Windows targets, tar.xz for the others", () => {
    expect(defaultArchiveFormat("win32-x64")).toBe("zip");
    expect(defaultArchiveFormat("win32-arm64")).toBe("zip");
    expect(defaultArchiveFormat("linux-x64")).toBe("tar.xz");
    expect(defaultArchiveFormat("darwin-arm64")).toBe("tar.xz");
  });
});

describe("archiveMtime", () => {
  test("locked_at, cut to whole seconds, when SOURCE_DATE_EPOCH is unset or empty", () => {
    expect(archiveMtime("2025-06-01T10:20:30.999Z", {}).toISOString()).toBe(
      "2025-06-01T10:20:30.000Z",
    );
    expect(archiveMtime(new Date("2025-06-01T10:20:30Z"), { SOURCE_DATE_EPOCH: "" })).toEqual(
      new Date("2025-06-01T10:20:30Z"),
    );
  });

  test("SOURCE_DATE_EPOCH wins over locked_at", () => {
    expect(archiveMtime("2025-06-01T10:20:30Z", { SOURCE_DATE_EPOCH: "1700000000" })).toEqual(
      new Date(1_700_000_000_000),
    );
  });

  test("a malformed SOURCE_DATE_EPOCH or locked_at is a user error", () => {
    expect(() => archiveMtime("2025-06-01T00:00:00Z", { SOURCE_DATE_EPOCH: "yesterday" })).toThrow(
      EnvstacksError,
    );
    expect(() => archiveMtime("2025-06-01T00:00:00Z", { SOURCE_DATE_EPOCH: "-5" })).toThrow(
      'SOURCE_DATE_EPOCH must be whole seconds since 1970 up to 2147483647, got "-5"',
    );
    expect(() => archiveMtime("not a date", {})).toThrow('locked_at is not a date: "not a date"');
  });

  test("member times outside what tar headers hold are refused", () => {
    expect(wholeSecondsMtime(new Date(1500))).toEqual(new Date(1000));
    expect(() => wholeSecondsMtime(new Date("1969-12-31T23:59:59Z"))).toThrow(EnvstacksError);
    expect(() => wholeSecondsMtime(new Date("2038-01-19T03:14:08Z"))).toThrow(
      "between 1970 and 2038",
    );
  });
});
