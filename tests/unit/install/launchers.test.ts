import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import {
  type LauncherTarget,
  nodeExecutable,
  posixLauncher,
  windowsLauncher,
  writeLaunchers,
} from "../../../src/install/launchers.js";
import type { LayerConfig } from "../../../src/install/layer-config.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const run = promisify(execFile);

const config: LayerConfig = {
  layer_name: "app-server",
  install_target: "app-server",
  kind: "application",
  runtime: "node-22@2",
  lower_layers: ["framework-web@1", "node-22@2"],
};
const target: LauncherTarget = { config, launchModule: "server.mjs" };

describe("windowsLauncher", () => {
  test("runs the runtime's node.exe relative to its own directory, with CRLF line ends", () => {
    expect(windowsLauncher(target)).toBe(
      [
        "@rem envstacks launcher for app-server",
        '@"%~dp0..\\..\\node-22@2\\bin\\node.exe" --require "%~dp0..\\share\\envstacks\\link.cjs"' +
          ' "%~dp0..\\app\\server.mjs" %*',
        "@exit /b %ERRORLEVEL%",
        "",
      ].join("\r\n"),
    );
  });

  test("escapes % in a launch module name so cmd does not expand it", () => {
    expect(windowsLauncher({ config, launchModule: "100%done.mjs" })).toContain(
      '"%~dp0..\\app\\100%%done.mjs" %*',
    );
  });
});

describe("posixLauncher", () => {
  test("execs the runtime's node with the link preload and passes every argument", () => {
    const text = posixLauncher(target, "linux-x64");
    expect(text.startsWith("#!/bin/sh\n")).toBe(true);
    expect(text).toContain(
      `exec "$layer/../"'node-22@2/bin/node' --require "$layer/share/envstacks/link.cjs" ` +
        `"$layer/app/"'server.mjs' "$@"\n`,
    );
  });

  test("uses node.exe for Windows targets (Git Bash, MSYS)", () => {
    expect(posixLauncher(target, "win32-x64")).toContain(`'node-22@2/bin/node.exe'`);
    expect(nodeExecutable("darwin-arm64")).toBe("bin/node");
  });

  test("is a valid sh script that keeps a quote in the launch module name literal", async () => {
    const text = posixLauncher({ config, launchModule: "it's $HOME.mjs" }, "linux-x64");
    expect(text).toContain(`"$layer/app/"'it'\\''s $HOME.mjs'`);
    // `sh -n` parses without running: a quoting mistake is a syntax error here.
    await run("sh", ["-n", "-c", text]);
  });
});

describe("writeLaunchers", () => {
  const tempDir = useTempDir();

  test("writes an executable sh launcher only, for a POSIX target", async () => {
    const layerDir = path.join(tempDir(), "app-server");
    const written = await writeLaunchers(layerDir, target, "linux-arm64");
    const launcher = path.join(layerDir, "bin", "app-server");
    expect(written).toEqual([launcher]);
    expect(await readdir(path.join(layerDir, "bin"))).toEqual(["app-server"]);
    expect((await stat(launcher)).mode & 0o777).toBe(0o755);
  });

  test("adds the .cmd launcher for a Windows target", async () => {
    const layerDir = path.join(tempDir(), "app-server");
    await writeLaunchers(layerDir, target, "win32-x64");
    const bin = path.join(layerDir, "bin");
    expect((await readdir(bin)).sort()).toEqual(["app-server", "app-server.cmd"]);
    expect(await readFile(path.join(bin, "app-server.cmd"), "utf8")).toBe(windowsLauncher(target));
    expect((await stat(path.join(bin, "app-server.cmd"))).mode & 0o777).toBe(0o644);
  });

  test("writes the same bytes for any build directory", async () => {
    const first = path.join(tempDir(), "one", "app-server");
    const second = path.join(tempDir(), "two", "deeper", "app-server");
    await writeLaunchers(first, target, "win32-x64");
    await writeLaunchers(second, target, "win32-x64");
    for (const name of ["app-server", "app-server.cmd"]) {
      const a = await readFile(path.join(first, "bin", name));
      const b = await readFile(path.join(second, "bin", name));
      expect(a.equals(b)).toBe(true);
      expect(a.toString()).not.toContain(tempDir());
    }
  });
});
