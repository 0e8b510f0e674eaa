/**
 * `npm run bench [-- --quick] [--rounds N] [--only NAME]`: envstacks against the tools users
 * would run instead, each pair run in turn (envstacks, baseline, envstacks, baseline …) so
 * that machine noise falls on both. Prints a table and writes bench/results/latest.json.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatTable, type Measure, resultsJson } from "./report.js";
import { runStack } from "./scenarios.js";
import { prepareStack, STACK_NAMES, type StackName } from "./stacks.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--only NAME]...
  --quick       the sample stack only, one round (for development)
  --rounds N    pairs of runs per measure (default 3)
  --only NAME   stack (${STACK_NAMES.join(", ")}) or measure (lock, build, publish, noop, size); repeatable`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      rounds: { type: "string" },
      only: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds: expected a positive integer\n${USAGE}`);
  const only = values.only;
  const stacks = STACK_NAMES.filter(
    (name) => (!values.quick || name === "sample") && selected(only, STACK_NAMES, name),
  );
  const platform = `${process.platform}-${process.arch}`;
  compileCli();

  const loadBefore = os.loadavg()[0] ?? 0;
  const work = await mkdtemp(path.join(os.tmpdir(), "envstacks-bench-"));
  const measures: Measure[] = [];
  try {
    for (const name of stacks) {
      log(`stack ${name}: preparing`);
      const stack = await prepareStack(
        name as StackName,
        REPO_ROOT,
        path.join(work, name, "stack"),
        platform,
      );
      measures.push(
        ...(await runStack(stack, {
          repoRoot: REPO_ROOT,
          workDir: path.join(work, name),
          rounds,
          wants: (measure) => selected(only, MEASURE_NAMES, measure),
          log,
        })),
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 3 });
  }
  const results = {
    date: new Date().toISOString(),
    rounds,
    machine: {
      platform,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryBytes: os.totalmem(),
      node: process.version,
      loadBefore,
      loadAfter: os.loadavg()[0] ?? 0,
    },
    measures,
  };
  const resultsDir = path.join(REPO_ROOT, "bench", "results");
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path.join(resultsDir, "latest.json"), resultsJson(results));
  process.stdout.write(formatTable(measures));
  process.stdout.write(
    `\n${rounds} round(s); load average ${loadBefore.toFixed(1)} → ${results.machine.loadAfter.toFixed(1)} on ${results.machine.cpus} cores; figures in bench/results/latest.json\n`,
  );
}

const MEASURE_NAMES = ["lock", "build", "publish", "noop", "size"] as const;

/** With no --only, everything; else NAME must be listed, unless no --only names this kind. */
function selected(only: readonly string[], kind: readonly string[], name: string): boolean {
  const ofKind = only.filter((o) => kind.includes(o));
  return ofKind.length === 0 || ofKind.includes(name);
}

/** The bench runs the CLI users run, `bin/envstacks.js` over `dist/`: compile it first. */
function compileCli(): void {
  log("compiling dist/ (tsc -p tsconfig.build.json)");
  const tsc = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: REPO_ROOT,
      stdio: "inherit",
    },
  );
  if (tsc.status !== 0) log("warning: tsc reported errors; benchmarking what it emitted");
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
