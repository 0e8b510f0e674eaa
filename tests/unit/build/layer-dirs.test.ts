import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { removeOtherTargets, replaceDirAtomically } from "../../../src/build/layer-dirs.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

describe("replaceDirAtomically", () => {
  test("a filled temp dir becomes the final directory and no temp dir is left", async () => {
    await replaceDirAtomically(tempDir(), "node-22", async (dir) => {
      await writeFile(path.join(dir, "marker"), "new");
    });
    expect(await readFile(path.join(tempDir(), "node-22", "marker"), "utf8")).toBe("new");
    expect(await readdir(tempDir())).toEqual(["node-22"]);
  });

  test("an existing directory is replaced whole, none of its files survive", async () => {
    await mkdir(path.join(tempDir(), "app-x"));
    await writeFile(path.join(tempDir(), "app-x", "stale"), "old");
    await replaceDirAtomically(tempDir(), "app-x", async (dir) => {
      await writeFile(path.join(dir, "fresh"), "new");
    });
    expect(await readdir(path.join(tempDir(), "app-x"))).toEqual(["fresh"]);
    expect(await readdir(tempDir())).toEqual(["app-x"]);
  });

  test("a failing fill leaves nothing at the final name and removes its temp dir", async () => {
    const fill = async (dir: string) => {
      await writeFile(path.join(dir, "half"), "half-built");
      throw new Error("install failed");
    };
    await expect(replaceDirAtomically(tempDir(), "framework-web@2", fill)).rejects.toThrow(
      "install failed",
    );
    expect(await readdir(tempDir())).toEqual([]);
  });

  test("a failing fill leaves the previous directory as it was", async () => {
    await mkdir(path.join(tempDir(), "app-x"));
    await writeFile(path.join(tempDir(), "app-x", "previous"), "works");
    await expect(
      replaceDirAtomically(tempDir(), "app-x", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await readdir(tempDir())).toEqual(["app-x"]);
    expect(await readFile(path.join(tempDir(), "app-x", "previous"), "utf8")).toBe("works");
  });
});

describe("removeOtherTargets", () => {
  test("removes older install targets and leftovers of one layer only", async () => {
    const entries = [
      "framework-web@1",
      "framework-web@2",
      "framework-web",
      ".framework-web@1.tmp-0a1b2c",
      ".framework-web@2.old-ffee00",
      "framework-web-extras",
      "framework-web-extras@1",
      ".framework-web-extras.tmp-abcdef",
      "node-22",
    ];
    for (const entry of entries) await mkdir(path.join(tempDir(), entry));
    const removed = await removeOtherTargets(tempDir(), "framework-web", "framework-web@2");
    expect(removed.sort()).toEqual(
      [
        ".framework-web@1.tmp-0a1b2c",
        ".framework-web@2.old-ffee00",
        "framework-web",
        "framework-web@1",
      ].sort(),
    );
    expect((await readdir(tempDir())).sort()).toEqual(
      [
        ".framework-web-extras.tmp-abcdef",
        "framework-web-extras",
        "framework-web-extras@1",
        "framework-web@2",
        "node-22",
      ].sort(),
    );
  });

  test("a missing parent directory removes nothing", async () => {
    expect(await removeOtherTargets(path.join(tempDir(), "absent"), "node-22", "node-22")).toEqual(
      [],
    );
  });
});
