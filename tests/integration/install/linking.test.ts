/**
 * Layer linking end to end, on hand-made layers (no network): launchers run apps whose
 * `import` and `require` resolve the app's own packages, then its frameworks in resolution
 * order, then the runtime layer; a moved deployment keeps working.
 */
import { execFile } from "node:child_process";
import { lstat, mkdir, readdir, readFile, rename, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, test } from "vitest";
import {
  type FixturePackage,
  writeApplicationLayer,
  writeFrameworkLayer,
  writeRuntimeLayer,
} from "../../helpers/deployment.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const run = promisify(execFile);

/** Loads each argv specifier with import(); prints id, deps and where it resolved. */
const ESM_PROBE = `import path from "node:path";
import { fileURLToPath } from "node:url";
const deployment = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const result = {};
for (const specifier of process.argv.slice(2)) {
  const loaded = await import(specifier);
  const resolved = fileURLToPath(import.meta.resolve(specifier));
  result[specifier] = { id: loaded.id, deps: loaded.deps, at: path.relative(deployment, resolved) };
}
console.log(JSON.stringify(result));
`;

/** The same with require() and require.resolve(). */
const CJS_PROBE = `const path = require("node:path");
const deployment = path.resolve(__dirname, "..", "..");
const result = {};
for (const specifier of process.argv.slice(2)) {
  const loaded = require(specifier);
  const at = path.relative(deployment, require.resolve(specifier));
  result[specifier] = { id: loaded.id, deps: loaded.deps, at };
}
console.log(JSON.stringify(result));
`;

/** Echoes its arguments and stdin, then exits with the code given as `--exit=N`. */
const ECHO = `let input = "";
for await (const chunk of process.stdin) input += chunk;
const args = process.argv.slice(2);
console.log(JSON.stringify({ args, stdin: input }));
const exit = args.find((a) => a.startsWith("--exit="));
process.exitCode = exit === undefined ? 0 : Number(exit.slice(7));
`;

const esm = (name: string, version: string, imports?: string[]): FixturePackage => ({
  name,
  version,
  format: "esm",
  imports,
});
const cjs = (name: string, version: string, imports?: string[]): FixturePackage => ({
  name,
  version,
  format: "cjs",
  imports,
});

const RUNTIME = "node-22";
const BASE = "framework-base@1";
const WEB = "framework-web";
const APP_LOWER = [WEB, BASE, RUNTIME];

/** Same own packages for the ESM and the CJS probe app. */
const APP_PACKAGES = [
  esm("app-esm", "1.0.0", ["web-esm"]),
  cjs("app-cjs", "1.0.0", ["web-cjs"]),
  cjs("ms", "2.0.0"),
  cjs("in-app-and-web", "2.0.0-app"),
];

interface Deployment {
  root: string;
  deploymentDir: string;
  launcher: (app: string) => string;
}

/**
 * node-22 ← framework-base@1 ← framework-web ← app-esm / app-cjs; app-dir and app-echo
 * directly on node-22.
 */
async function writeDeployment(root: string): Promise<Deployment> {
  const sources = path.join(root, "sources");
  const deploymentDir = path.join(root, "deploy");
  await mkdir(path.join(sources, "dir-app", "lib"), { recursive: true });
  await mkdir(path.join(sources, "dir-app", "node_modules", "stale"), { recursive: true });
  await mkdir(deploymentDir);
  await writeFile(path.join(sources, "probe.mjs"), ESM_PROBE);
  await writeFile(path.join(sources, "probe.cjs"), CJS_PROBE);
  await writeFile(path.join(sources, "echo.mjs"), ECHO);
  await writeFile(
    path.join(sources, "dir-app", "package.json"),
    JSON.stringify({ name: "dir-app", private: true, main: "lib/main.js" }),
  );
  await writeFile(
    path.join(sources, "dir-app", "lib", "main.js"),
    'const greet = require("../../greet.cjs");\nconsole.log(greet(require("rt-cjs").id));\n',
  );
  await writeFile(path.join(sources, "dir-app", "node_modules", "stale", "index.js"), "");
  await writeFile(
    path.join(sources, "greet.cjs"),
    'module.exports = (what) => "dir-app with " + what;\n',
  );

  await writeRuntimeLayer(deploymentDir, RUNTIME, [
    cjs("rt-cjs", "1.0.0"),
    esm("rt-esm", "1.0.0"),
    cjs("in-base-and-runtime", "1.0.0-runtime"),
  ]);
  await writeFrameworkLayer(deploymentDir, {
    installTarget: BASE,
    runtime: RUNTIME,
    lowerLayers: [RUNTIME],
    packages: [
      esm("base-esm", "1.0.0", ["rt-esm"]),
      cjs("base-cjs", "1.0.0", ["rt-cjs"]),
      cjs("in-web-and-base", "1.0.0-base"),
      cjs("in-base-and-runtime", "1.0.0-base"),
    ],
  });
  await writeFrameworkLayer(deploymentDir, {
    installTarget: WEB,
    runtime: RUNTIME,
    lowerLayers: [BASE, RUNTIME],
    packages: [
      // Their own `ms` is 1.0.0 even where the app has ms@2.0.0 (shadowing).
      esm("web-esm", "1.0.0", ["ms", "base-esm"]),
      cjs("web-cjs", "1.0.0", ["ms", "base-cjs"]),
      cjs("ms", "1.0.0"),
      cjs("in-web-and-base", "1.0.0-web"),
      cjs("in-app-and-web", "1.0.0-web"),
    ],
  });
  for (const [layerName, probe] of [
    ["app-esm", "probe.mjs"],
    ["app-cjs", "probe.cjs"],
  ] as const) {
    await writeApplicationLayer(deploymentDir, {
      layerName,
      runtime: RUNTIME,
      lowerLayers: APP_LOWER,
      launchModule: path.join(sources, probe),
      packages: APP_PACKAGES,
    });
  }
  await writeApplicationLayer(deploymentDir, {
    layerName: "app-dir",
    runtime: RUNTIME,
    lowerLayers: [RUNTIME],
    launchModule: path.join(sources, "dir-app"),
    supportModules: [path.join(sources, "greet.cjs")],
  });
  await writeApplicationLayer(deploymentDir, {
    layerName: "app-echo",
    runtime: RUNTIME,
    lowerLayers: [RUNTIME],
    launchModule: path.join(sources, "echo.mjs"),
  });
  return {
    root,
    deploymentDir,
    launcher: (app) => path.join(deploymentDir, app, "bin", app),
  };
}

interface Loaded {
  id: string;
  deps: Record<string, string>;
  /** Resolved file, relative to the deployment directory. */
  at: string;
}

async function probe(launcher: string, specifiers: string[]): Promise<Record<string, Loaded>> {
  const { stdout } = await run("sh", [launcher, ...specifiers]);
  return JSON.parse(stdout) as Record<string, Loaded>;
}

/** Runs a launcher with stdin; resolves with the exit code instead of rejecting on failure. */
function runWithInput(
  launcher: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile("sh", [launcher, ...args], (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: child.exitCode, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

const tempDir = useTempDir("envstacks-linking-");
let deployment: Deployment;
beforeEach(async () => {
  deployment = await writeDeployment(tempDir());
});

const at = (layer: string, name: string) => path.join(layer, "node_modules", name, "index.js");

describe.each([
  ["ESM app (import, import.meta.resolve)", "app-esm", "app-esm", "web-esm", "base-esm", "rt-esm"],
  ["CJS app (require, require.resolve)", "app-cjs", "app-cjs", "web-cjs", "base-cjs", "rt-cjs"],
])("%s", (_title, app, own, web, base, runtime) => {
  test("loads its own package, a framework package and a runtime package", async () => {
    const loaded = await probe(deployment.launcher(app), [own, web, runtime]);
    expect(loaded[own]?.at).toBe(at(app, own));
    expect(loaded[web]?.at).toBe(at(WEB, web));
    expect(loaded[runtime]?.at).toBe(at(RUNTIME, runtime));
  });

  test("prefers the app over a framework, the first framework, a framework over the runtime", async () => {
    const loaded = await probe(deployment.launcher(app), [
      "in-app-and-web",
      "in-web-and-base",
      "in-base-and-runtime",
    ]);
    expect(loaded["in-app-and-web"]).toMatchObject({
      id: "in-app-and-web@2.0.0-app",
      at: at(app, "in-app-and-web"),
    });
    expect(loaded["in-web-and-base"]).toMatchObject({
      id: "in-web-and-base@1.0.0-web",
      at: at(WEB, "in-web-and-base"),
    });
    expect(loaded["in-base-and-runtime"]).toMatchObject({
      id: "in-base-and-runtime@1.0.0-base",
      at: at(BASE, "in-base-and-runtime"),
    });
  });

  test("a framework package keeps its own dependency where the app has another version", async () => {
    const loaded = await probe(deployment.launcher(app), ["ms", web]);
    expect(loaded.ms?.id).toBe("ms@2.0.0");
    expect(loaded[web]?.deps).toEqual({ ms: "ms@1.0.0", [base]: `${base}@1.0.0` });
  });

  test("a framework on a framework loads its base's packages, which load the runtime's", async () => {
    const loaded = await probe(deployment.launcher(app), [base]);
    expect(loaded[base]).toEqual({
      id: `${base}@1.0.0`,
      deps: { [runtime]: `${runtime}@1.0.0` },
      at: at(BASE, base),
    });
  });

  test("the app's own package loads a framework package", async () => {
    const loaded = await probe(deployment.launcher(app), [own]);
    expect(loaded[own]?.deps).toEqual({ [web]: `${web}@1.0.0` });
  });

  test("layers come before a node_modules above the deployment, which still serves the rest", async () => {
    const outside = path.join(deployment.root, "node_modules");
    for (const [name, version] of [
      [web, "9.9.9-outside"],
      [runtime, "9.9.9-outside"],
      ["only-outside", "1.0.0"],
    ] as const) {
      await mkdir(path.join(outside, name), { recursive: true });
      await writeFile(
        path.join(outside, name, "package.json"),
        JSON.stringify({ name, version, main: "index.cjs" }),
      );
      await writeFile(
        path.join(outside, name, "index.cjs"),
        `exports.id = "${name}@${version}";\nexports.deps = {};\n`,
      );
    }
    const loaded = await probe(deployment.launcher(app), [web, runtime, "only-outside"]);
    expect(loaded[web]?.at).toBe(at(WEB, web));
    expect(loaded[runtime]?.at).toBe(at(RUNTIME, runtime));
    expect(loaded["only-outside"]?.id).toBe("only-outside@1.0.0");
  });

  test("a package in no layer fails with Node's own not-found error", async () => {
    const failure = await probe(deployment.launcher(app), ["no-such-package"]).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const expected = app === "app-esm" ? "ERR_MODULE_NOT_FOUND" : "MODULE_NOT_FOUND";
    expect(failure?.stderr).toContain(`code: '${expected}'`);
    expect(failure?.stderr).toContain("no-such-package");
  });
});

test("arguments, stdin, stdout and the exit code pass through the launcher", async () => {
  const args = ["two words", "--flag", "$HOME", "'quoted'", "--exit=7"];
  const result = await runWithInput(deployment.launcher("app-echo"), args, "line 1\nline 2\n");
  expect(result.code).toBe(7);
  expect(JSON.parse(result.stdout)).toEqual({ args, stdin: "line 1\nline 2\n" });
});

test("a symlink to the launcher runs the app", async () => {
  const link = path.join(deployment.root, "links", "echo");
  await mkdir(path.dirname(link));
  await symlink(path.relative(path.dirname(link), deployment.launcher("app-echo")), link);
  const result = await runWithInput(link, ["via-link"], "");
  expect(result).toMatchObject({ code: 0, stderr: "" });
  expect(JSON.parse(result.stdout)).toEqual({ args: ["via-link"], stdin: "" });
});

test("a directory launch module runs through its package.json main, beside its support module", async () => {
  const { stdout } = await run("sh", [deployment.launcher("app-dir")]);
  expect(stdout).toBe("dir-app with rt-cjs@1.0.0\n");
  const copied = await readdir(path.join(deployment.deploymentDir, "app-dir", "app", "dir-app"));
  expect(copied.sort()).toEqual(["lib", "package.json"]);
});

test("the deployment still works after moving it to another directory", async () => {
  const moved = path.join(deployment.root, "elsewhere", "deployed");
  await mkdir(path.dirname(moved));
  await rename(deployment.deploymentDir, moved);
  const launcher = (app: string) => path.join(moved, app, "bin", app);
  const esmLoaded = await probe(launcher("app-esm"), ["web-esm", "rt-esm"]);
  expect(esmLoaded["web-esm"]?.at).toBe(at(WEB, "web-esm"));
  expect(esmLoaded["rt-esm"]?.at).toBe(at(RUNTIME, "rt-esm"));
  const cjsLoaded = await probe(launcher("app-cjs"), ["web-cjs"]);
  expect(cjsLoaded["web-cjs"]?.deps).toEqual({ ms: "ms@1.0.0", "base-cjs": "base-cjs@1.0.0" });
});

test("no file in the deployment contains the build directory's absolute path", async () => {
  const entries = await readdir(deployment.deploymentDir, { recursive: true });
  const offenders: string[] = [];
  let files = 0;
  for (const entry of entries) {
    const file = path.join(deployment.deploymentDir, entry);
    // bin/node links to the test's own Node: a fixture, not something the build writes.
    if (!(await lstat(file)).isFile()) continue;
    files += 1;
    if ((await readFile(file, "utf8")).includes(deployment.root)) offenders.push(entry);
  }
  expect(files).toBeGreaterThan(40);
  expect(offenders).toEqual([]);
});
