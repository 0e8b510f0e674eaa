import path from "node:path";
import { describe, expect, test } from "vitest";
import { cacachePath, cacheDir } from "../../../src/fetch/cache-dir.js";

describe("cacheDir", () => {
  test("ENVSTACKS_CACHE_DIR wins on every platform, made absolute", () => {
    for (const platform of ["linux", "darwin", "win32"] as const) {
      const env = {
        ENVSTACKS_CACHE_DIR: "rel/cache",
        XDG_CACHE_HOME: "/xdg",
        LOCALAPPDATA: "C:\\L",
      };
      expect(cacheDir({ env, platform, home: "/home/u" })).toBe(path.resolve("rel/cache"));
    }
  });

  test("Linux: $XDG_CACHE_HOME/envstacks, else ~/.cache/envstacks", () => {
    const home = "/home/u";
    expect(cacheDir({ env: { XDG_CACHE_HOME: "/xdg" }, platform: "linux", home })).toBe(
      "/xdg/envstacks",
    );
    expect(cacheDir({ env: {}, platform: "linux", home })).toBe("/home/u/.cache/envstacks");
    // An empty variable counts as unset, as in the XDG spec.
    expect(cacheDir({ env: { XDG_CACHE_HOME: "" }, platform: "linux", home })).toBe(
      "/home/u/.cache/envstacks",
    );
  });

  test("macOS: ~/Library/Caches/envstacks, whatever XDG says", () => {
    expect(
      cacheDir({ env: { XDG_CACHE_HOME: "/xdg" }, platform: "darwin", home: "/Users/u" }),
    ).toBe("/Users/u/Library/Caches/envstacks");
  });

  test("Windows: %LOCALAPPDATA%\\envstacks\\Cache, else under the profile's AppData", () => {
    expect(
      cacheDir({
        env: { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" },
        platform: "win32",
        home: "C:\\Users\\u",
      }),
    ).toBe("C:\\Users\\u\\AppData\\Local\\envstacks\\Cache");
    expect(cacheDir({ env: {}, platform: "win32", home: "C:\\Users\\u" })).toBe(
      "C:\\Users\\u\\AppData\\Local\\envstacks\\Cache",
    );
  });

  test("the cacache store is <cacheDir>/_cacache, as the npm options use it", () => {
    expect(cacachePath("/c/envstacks")).toBe(path.join("/c/envstacks", "_cacache"));
  });
});
