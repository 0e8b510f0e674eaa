/**
 * Install scripts, bin links and extraction safety with packages made by the test and put
 * into a private download cache (installs run offline: no registry involved).
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import cacache from "cacache";
import ssri from "ssri";
import tarStream from "tar-stream";
import { describe, expect, test } from "vitest";
import { packageCacheKey } from "../../../src/fetch/packages.js";
import { type InstallPackagesOptions, installPackages } from "../../../src/install/packages.js";
import type { NpmOptions } from "../../../src/lock/npm-config.js";
import type { LockedPackage } from "../../../src/lock/types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

interface Member {
  name: string;
  content?: string;
  mode?: number;
  type?: "file" | "symlink";
  linkname?: string;
}

async function tarball(members: Member[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const m of members) {
    const header = {
      name: m.name,
      mode: m.mode ?? 0o644,
      type: m.type ?? "file",
      linkname: m.linkname,
      mtime: new Date(0),
    };
    await new Promise<void>((resolve, reject) =>
      pack.entry(header, m.content ?? "", (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** A package in the private cache, as its lock entry describes it. */
async function cachedPackage(
  npm: NpmOptions,
  lockPath: string,
  manifest: Record<string, unknown> & { name: string },
  files: Member[] = [],
): Promise<LockedPackage> {
  const bytes = await tarball([
    { name: "package/package.json", content: JSON.stringify({ version: "1.0.0", ...manifest }) },
    ...files.map((f) => ({
      ...f,
      name: f.name.startsWith("package/") ? f.name : `package/${f.name}`,
    })),
  ]);
  const integrity = ssri.fromData(bytes, { algorithms: ["sha512"] }).toString();
  await cacache.put(npm.cache, packageCacheKey(integrity), bytes, { integrity });
  const scripts = (manifest.scripts ?? {}) as Record<string, string>;
  return {
    path: lockPath,
    name: manifest.name,
    version: "1.0.0",
    resolved: `http://127.0.0.1:9/${manifest.name}/-/${manifest.name}-1.0.0.tgz`,
    integrity,
    ...(manifest.bin ? { bin: manifest.bin as Record<string, string> } : {}),
    ...(["preinstall", "install", "postinstall"].some((e) => e in scripts)
      ? { hasInstallScript: true }
      : {}),
  };
}

function options(
  npm: NpmOptions,
  extra: Partial<InstallPackagesOptions> = {},
): InstallPackagesOptions {
  return { platform: "linux-x64", allowScripts: [], offline: true, npm, ...extra };
}

function npmOptions(): NpmOptions {
  const registry = "http://127.0.0.1:9/";
  return { registry, cache: path.join(tempDir(), "_cacache"), fetchOptions: { registry } };
}

// Records each lifecycle event and the first PATH entry the script saw.
const RECORDER = `
const fs = require("node:fs");
const first = process.env.PATH.split(require("node:path").delimiter)[0];
fs.appendFileSync("events.txt", process.env.npm_lifecycle_event + " " + first + "\\n");
`;
const SCRIPTS = {
  preinstall: "node record.js",
  install: "node record.js",
  postinstall: "node record.js",
};

describe("install scripts", () => {
  test("do not run unless the package is in allowScripts", async () => {
    const npm = npmOptions();
    const pkg = await cachedPackage(
      npm,
      "node_modules/scripted",
      { name: "scripted", scripts: SCRIPTS },
      [{ name: "record.js", content: RECORDER }],
    );
    const layerDir = path.join(tempDir(), "layer");
    const logs: string[] = [];
    await installPackages(layerDir, [pkg], options(npm, { log: (m) => logs.push(m) }));
    expect(await readdir(path.join(layerDir, "node_modules/scripted"))).not.toContain("events.txt");
    expect(logs).toEqual(["scripted@1.0.0: install scripts not run (not in allow_scripts)"]);
  });

  test("run preinstall, install, postinstall in order with the runtime's node first in PATH", async () => {
    const npm = npmOptions();
    const pkg = await cachedPackage(
      npm,
      "node_modules/scripted",
      { name: "scripted", scripts: SCRIPTS },
      [{ name: "record.js", content: RECORDER }],
    );
    const layerDir = path.join(tempDir(), "layer");
    await installPackages(
      layerDir,
      [pkg],
      options(npm, { allowScripts: ["scripted"], nodeBinary: process.execPath }),
    );
    const nodeDir = path.dirname(process.execPath);
    const events = await readFile(path.join(layerDir, "node_modules/scripted/events.txt"), "utf8");
    expect(events.trim().split(/\r?\n/)).toEqual([
      `preinstall ${nodeDir}`,
      `install ${nodeDir}`,
      `postinstall ${nodeDir}`,
    ]);
  });

  test("a failing script is an error naming the package and the script", async () => {
    const npm = npmOptions();
    const pkg = await cachedPackage(npm, "node_modules/failing", {
      name: "failing",
      scripts: { postinstall: `node -e "console.error('no compiler'); process.exit(3)"` },
    });
    await expect(
      installPackages(
        path.join(tempDir(), "layer"),
        [pkg],
        options(npm, { allowScripts: ["failing"] }),
      ),
    ).rejects.toThrow("failing@1.0.0: postinstall script failed (exit code 3): no compiler");
  });
});

describe("extraction and bin links", () => {
  test("links and paths leaving the package are not extracted; bins link per node_modules", async () => {
    const npm = npmOptions();
    const outer = await cachedPackage(
      npm,
      "node_modules/outer",
      { name: "outer", bin: { outer: "cli.js" } },
      [
        { name: "cli.js", content: "#!/usr/bin/env node\n", mode: 0o644 },
        { name: "package/../../escaped.txt", content: "outside" },
        { name: "passwd", type: "symlink", linkname: "/etc/passwd" },
      ],
    );
    const inner = await cachedPackage(
      npm,
      "node_modules/outer/node_modules/@scope/inner",
      { name: "@scope/inner", bin: { "inner-cli": "bin/run.js" } },
      [{ name: "bin/run.js", content: "#!/usr/bin/env node\n", mode: 0o755 }],
    );
    const layerDir = path.join(tempDir(), "layer");
    await installPackages(layerDir, [outer, inner], options(npm));

    const outerDir = path.join(layerDir, "node_modules/outer");
    expect((await readdir(outerDir)).sort()).toEqual(["cli.js", "node_modules", "package.json"]);
    await expect(lstat(path.join(tempDir(), "escaped.txt"))).rejects.toThrow("ENOENT");
    await expect(lstat(path.join(layerDir, "escaped.txt"))).rejects.toThrow("ENOENT");
    expect((await readdir(path.join(layerDir, "node_modules"))).sort()).toEqual([".bin", "outer"]);
    // A bin target becomes executable even when the tarball did not say so.
    expect((await lstat(path.join(outerDir, "cli.js"))).mode & 0o111).not.toBe(0);
    expect(await readdir(path.join(layerDir, "node_modules/.bin"))).toEqual(["outer"]);
    expect(await readdir(path.join(outerDir, "node_modules/.bin"))).toEqual(["inner-cli"]);
  });

  test("Windows targets get cmd shims instead of symlinks", async () => {
    const npm = npmOptions();
    const pkg = await cachedPackage(
      npm,
      "node_modules/tool",
      { name: "tool", bin: { tool: "cli.js" } },
      [{ name: "cli.js", content: "#!/usr/bin/env node\n" }],
    );
    const layerDir = path.join(tempDir(), "layer");
    await installPackages(layerDir, [pkg], options(npm, { platform: "win32-x64" }));
    const binDir = path.join(layerDir, "node_modules/.bin");
    expect((await readdir(binDir)).sort()).toEqual(["tool", "tool.cmd", "tool.ps1"]);
    expect((await lstat(path.join(binDir, "tool"))).isSymbolicLink()).toBe(false);
    expect(await readFile(path.join(binDir, "tool.cmd"), "utf8")).toContain("tool\\cli.js");
  });
});
