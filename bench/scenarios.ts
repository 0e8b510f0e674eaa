/**
 * The measures of one stack, each as pairs of runs in turn: envstacks, then the baseline,
 * `rounds` times. Cold runs get fresh caches (`ENVSTACKS_CACHE_DIR` and `npm_config_cache`)
 * every round; warm runs share caches filled by one untimed run of each tool first.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type Measure, measure, sample, type Unit } from "./report.js";
import { type BenchStack, flatManifest } from "./stacks.js";
import { treeSize } from "./tree-size.js";

export interface ScenarioOptions {
  repoRoot: string;
  /** Scratch space of this stack (caches, build dirs, outputs). */
  workDir: string;
  rounds: number;
  wants(measure: "lock" | "build" | "publish" | "noop" | "size"): boolean;
  log(line: string): void;
}

/** The fixed archive mtime of the baselines (envstacks uses the lock's `locked_at`). */
const BASELINE_MTIME = "@1700000000";

export async function runStack(stack: BenchStack, options: ScenarioOptions): Promise<Measure[]> {
  const { workDir, rounds, log } = options;
  const cli = path.join(options.repoRoot, "bin", "envstacks.js");
  const flatDir = path.join(workDir, "flat");
  const buildDir = path.join(workDir, "build");
  const outDir = path.join(workDir, "out");
  const warm = caches(path.join(workDir, "warm-cache"));
  const measures: Measure[] = [];
  const add = (
    name: string,
    unit: Unit,
    ours: [string, number[]],
    theirs: [string, number[]],
    note: string,
  ) => {
    const m = measure(stack.name, name, unit, sample(...ours), sample(...theirs), note);
    measures.push(m);
    log(`${stack.name}: ${name}: ratio ${m.ratio.toFixed(2)}`);
  };

  await mkdir(flatDir, { recursive: true });
  await writeFile(path.join(flatDir, "package.json"), flatManifest(stack.requirements));
  const envstacks = (args: string[], env: NodeJS.ProcessEnv) =>
    timed(process.execPath, [cli, ...args], { env });
  const npm = (args: string[], env: NodeJS.ProcessEnv) =>
    timed("npm", [...args, "--ignore-scripts", "--no-audit", "--no-fund"], { env, cwd: flatDir });
  const before = stack.before === undefined ? [] : [`--before=${stack.before}`];
  const lockOurs = async (env: NodeJS.ProcessEnv) => {
    await rm(path.join(path.dirname(stack.specPath), "requirements"), {
      recursive: true,
      force: true,
    });
    return envstacks(["lock", stack.specPath], env);
  };
  const lockTheirs = async (env: NodeJS.ProcessEnv) => {
    await rm(path.join(flatDir, "package-lock.json"), { force: true });
    return npm(["install", "--package-lock-only", ...before], env);
  };
  const buildOurs = async (env: NodeJS.ProcessEnv) => {
    await rm(buildDir, { recursive: true, force: true });
    return envstacks(["build", stack.specPath, "--build-dir", buildDir], env);
  };
  const buildTheirs = async (env: NodeJS.ProcessEnv) => {
    await rm(path.join(flatDir, "node_modules"), { recursive: true, force: true });
    return npm(["ci"], env);
  };

  // Locks are needed by every later measure: the untimed warm-up runs make them.
  log(`${stack.name}: warming the caches (lock and build once with each tool)`);
  await lockOurs(warm.env);
  await lockTheirs(warm.env);
  if (options.wants("lock")) {
    const cold = await pairs(rounds, workDir, lockOurs, lockTheirs);
    add(
      "lock (cold cache)",
      "seconds",
      ["envstacks lock", cold.ours],
      ["npm install --package-lock-only", cold.theirs],
      "all layers' requirements flattened into one package.json for npm",
    );
    const hot = await pairs(rounds, workDir, lockOurs, lockTheirs, warm.env);
    add(
      "lock (warm cache)",
      "seconds",
      ["envstacks lock", hot.ours],
      ["npm install --package-lock-only", hot.theirs],
      "as above, with the registry metadata already cached",
    );
  }
  await buildOurs(warm.env);
  await buildTheirs(warm.env);
  if (options.wants("build")) {
    const cold = await pairs(rounds, workDir, buildOurs, buildTheirs);
    add(
      "build (cold cache)",
      "seconds",
      ["envstacks build", cold.ours],
      ["npm ci", cold.theirs],
      "every layer including the Node.js runtime vs one flat node_modules of the same packages",
    );
    const hot = await pairs(rounds, workDir, buildOurs, buildTheirs, warm.env);
    add(
      "build (warm cache)",
      "seconds",
      ["envstacks build", hot.ours],
      ["npm ci", hot.theirs],
      "as above, every tarball (and the Node.js binary) already in the cache",
    );
  }

  // The build dir now holds every layer: publish it, and archive the same trees with tar.
  const layers = (await readdir(buildDir)).filter((name) => !name.startsWith(".")).sort();
  const baselineOut = (ext: string) => path.join(workDir, `baseline-${ext}`);
  const tarTo = (compressor: string, ext: string) => async () => {
    const dir = baselineOut(ext);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    const start = performance.now();
    for (const layer of layers) {
      const archive = path.join(dir, `${layer}.${ext}`);
      const tar = `tar --sort=name --mtime=${BASELINE_MTIME} --owner=0 --group=0 --numeric-owner -cf - -C "${buildDir}" "${layer}"`;
      await run("bash", ["-c", `set -o pipefail; ${tar} | ${compressor} > "${archive}"`], {});
    }
    return (performance.now() - start) / 1000;
  };
  const publishOurs = async () => {
    await rm(outDir, { recursive: true, force: true });
    return envstacks(["publish", stack.specPath, outDir, "--build-dir", buildDir], warm.env);
  };
  if (options.wants("publish")) {
    // One envstacks publish per round, then both baselines: xz (same preset) and gzip.
    const [ours = [], xz = [], gz = []] = await inTurn(rounds, workDir, [
      publishOurs,
      tarTo("xz -6 -T2", "tar.xz"),
      tarTo("gzip -n", "tar.gz"),
    ]);
    const oursSize = await archivesSize(outDir);
    add(
      "publish (tar.xz)",
      "seconds",
      ["envstacks publish", ours],
      ["tar | xz -6 -T2", xz],
      "archives of every built layer, same xz preset; envstacks also hashes and writes metadata",
    );
    add(
      "published size (tar.xz)",
      "bytes",
      ["envstacks", [oursSize]],
      ["tar | xz -6", [await archivesSize(baselineOut("tar.xz"))]],
      "sum of the layer archives",
    );
    add(
      "publish vs gzip",
      "seconds",
      ["envstacks publish (tar.xz)", ours],
      ["tar | gzip -n", gz],
      "envstacks' default tar.xz against the faster, larger gzip",
    );
    add(
      "published size vs gzip",
      "bytes",
      ["envstacks (tar.xz)", [oursSize]],
      ["tar | gzip -n", [await archivesSize(baselineOut("tar.gz"))]],
      "sum of the layer archives",
    );
  }
  if (options.wants("noop")) {
    await publishOurs();
    const noop = await pairs(
      rounds,
      workDir,
      () =>
        envstacks(
          ["build", "--publish", stack.specPath, outDir, "--build-dir", buildDir],
          warm.env,
        ),
      () => timed(process.execPath, ["-e", "0"], {}),
    );
    add(
      "no-op build --publish",
      "seconds",
      ["envstacks build --publish", noop.ours],
      ["node -e 0", noop.theirs],
      "nothing changed: what the stamps cost over starting Node",
    );
  }
  if (options.wants("size")) {
    const deployed = await deployedSizes(buildDir, layers);
    add(
      "deployed size, layered",
      "bytes",
      ["layers", [deployed.layered]],
      ["flat copy per app", [deployed.flat]],
      `${deployed.apps} apps: runtime + frameworks + apps once, vs each app with its own runtime and packages`,
    );
  }
  await rm(warm.root, { recursive: true, force: true });
  return measures;
}

interface Caches {
  root: string;
  env: NodeJS.ProcessEnv;
}

function caches(root: string): Caches {
  return {
    root,
    env: {
      ENVSTACKS_CACHE_DIR: path.join(root, "envstacks"),
      npm_config_cache: path.join(root, "npm"),
    },
  };
}

/**
 * `rounds` rounds of envstacks then each baseline in turn. Without `env`, each run gets
 * fresh, empty caches (cold), removed afterwards.
 */
async function pairs(
  rounds: number,
  workDir: string,
  ours: (env: NodeJS.ProcessEnv) => Promise<number>,
  theirs: (env: NodeJS.ProcessEnv) => Promise<number>,
  env?: NodeJS.ProcessEnv,
): Promise<{ ours: number[]; theirs: number[] }> {
  const [oursRuns, theirRuns] = await inTurn(rounds, workDir, [ours, theirs], env);
  return { ours: oursRuns ?? [], theirs: theirRuns ?? [] };
}

async function inTurn(
  rounds: number,
  workDir: string,
  runners: readonly ((env: NodeJS.ProcessEnv) => Promise<number>)[],
  env?: NodeJS.ProcessEnv,
): Promise<number[][]> {
  const results = runners.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, run] of runners.entries()) {
      const cold =
        env === undefined ? caches(path.join(workDir, `cold-cache-${index}-${round}`)) : undefined;
      try {
        results[index]?.push(await run(env ?? cold?.env ?? {}));
      } finally {
        if (cold) await rm(cold.root, { recursive: true, force: true, maxRetries: 3 });
      }
    }
  }
  return results;
}

/** Wall-clock seconds of one command; a failure is an error with the end of its stderr. */
async function timed(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<number> {
  const start = performance.now();
  await run(command, args, options);
  return (performance.now() - start) / 1000;
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${stderr}`));
    });
  });
}

/** Bytes of the archives in a directory (metadata left out). */
async function archivesSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) total += await treeSize(path.join(dir, entry.name));
  }
  return total;
}

/**
 * Layered: every layer once. Flat: each app as one self-contained copy (its runtime, its
 * frameworks' packages and its own), i.e. the same bytes the app needs, per app.
 */
async function deployedSizes(
  buildDir: string,
  layers: readonly string[],
): Promise<{ layered: number; flat: number; apps: number }> {
  const sizes = new Map<string, number>();
  for (const layer of layers) sizes.set(layer, await treeSize(path.join(buildDir, layer)));
  let layered = 0;
  for (const size of sizes.values()) layered += size;
  let flat = 0;
  let apps = 0;
  for (const layer of layers) {
    const config = JSON.parse(
      await readFile(path.join(buildDir, layer, "share", "envstacks", "layer.json"), "utf8"),
    ) as { kind: string; lower_layers: string[] };
    if (config.kind !== "application") continue;
    apps++;
    for (const part of [layer, ...config.lower_layers]) flat += sizes.get(part) ?? 0;
  }
  return { layered, flat, apps };
}
