/**
 * Structural rules of the GitHub Actions workflows that actionlint cannot know: who may write,
 * what triggers them, which OSes they cover, and that the writing job runs no PR code.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { formatProblem, lintWorkflows, workflowFiles } from "../../../scripts/actionlint.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const OSES = ["ubuntu-latest", "macos-latest", "windows-latest"];

/** A GitHub expression as written in a workflow: `${{ inner }}`. */
const expr = (inner: string) => `\${{ ${inner} }}`;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  "runs-on": string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  strategy?: { matrix?: { os?: string[] } };
  env?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

async function loadWorkflow(name: string): Promise<Workflow> {
  return parse(await readFile(path.join(WORKFLOWS, name), "utf8")) as Workflow;
}

function grantsWrite(permissions: Job["permissions"]): boolean {
  if (permissions === undefined) return false;
  if (typeof permissions === "string") return permissions === "write-all";
  return Object.values(permissions).includes("write");
}

/** "workflow" when the top level grants a write permission, then each job that does. */
function writers(workflow: Workflow): string[] {
  const jobs = Object.entries(workflow.jobs).filter(([, job]) => grantsWrite(job.permissions));
  return [...(grantsWrite(workflow.permissions) ? ["workflow"] : []), ...jobs.map(([n]) => n)];
}

function stepUsing(job: Job, action: string): Step | undefined {
  return job.steps.find((step) => step.uses?.split("@")[0] === action);
}

function stepIndex(job: Job, predicate: (step: Step) => boolean): number {
  const index = job.steps.findIndex(predicate);
  expect(index, "step not found").toBeGreaterThanOrEqual(0);
  return index;
}

describe("every workflow", () => {
  test("passes actionlint", async () => {
    const files = await workflowFiles(WORKFLOWS);
    expect(files.map((file) => path.basename(file))).toEqual([
      "test.yml",
      "update-expected-output.yml",
    ]);
    const problems = await lintWorkflows(files, REPO_ROOT);
    expect(problems.map(formatProblem)).toEqual([]);
  });

  test("reads the repository by default and pins each action by major version", async () => {
    for (const file of await workflowFiles(WORKFLOWS)) {
      const workflow = await loadWorkflow(path.basename(file));
      expect(workflow.permissions, file).toEqual({ contents: "read" });
      const uses = Object.values(workflow.jobs).flatMap((job) =>
        job.steps.flatMap((step) => (step.uses === undefined ? [] : [step.uses])),
      );
      for (const action of uses) expect(action, file).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    }
  });

  test("sets up Node 20.19 or later with npm's cache", async () => {
    for (const file of await workflowFiles(WORKFLOWS)) {
      const workflow = await loadWorkflow(path.basename(file));
      for (const [name, job] of Object.entries(workflow.jobs)) {
        const setupNode = stepUsing(job, "actions/setup-node");
        if (setupNode === undefined) continue;
        expect(setupNode.with, `${file} ${name}`).toEqual({
          "node-version": "20.19",
          cache: "npm",
        });
      }
    }
  });
});

describe("the actionlint runner", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test("reports a bad permission and an untrusted expression with file and line", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "envstacks-actionlint-"));
    const file = path.join(dir, "bad.yml");
    await writeFile(
      file,
      [
        "on: pull_request",
        "permissions:",
        "  contents: writ",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        `      - run: echo ${expr("github.event.pull_request.title")}`,
        "",
      ].join("\n"),
    );
    const problems = (await lintWorkflows([file], dir)).map(formatProblem);
    expect(problems).toEqual([
      expect.stringMatching(/^bad\.yml:3:\d+: "writ" is invalid .* \[permissions\]$/),
      expect.stringMatching(/^bad\.yml:8:\d+: .*potentially untrusted.* \[expression\]$/),
    ]);
  });
});

describe("the actionlint command (tox env actionlint)", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test("exits 1 and prints file:line:column for a bad workflow, 0 for good ones", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "envstacks-actionlint-cli-"));
    const bad = path.join(dir, "bad.yml");
    await writeFile(bad, "on: push\njobs:\n  a:\n    steps:\n      - run: true\n");
    const good = path.join(WORKFLOWS, "test.yml");
    const cli = [
      "--import",
      import.meta.resolve("tsx"),
      path.join(REPO_ROOT, "scripts", "actionlint.ts"),
    ];
    const failing = spawnSync(process.execPath, [...cli, good, bad], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/^bad\.yml:3:\d+: .*"runs-on".* \[syntax-check\]$/m);
    expect(failing.stdout).not.toMatch(/test\.yml:/);
    const passing = spawnSync(process.execPath, [...cli, good], { cwd: dir, encoding: "utf8" });
    expect(passing.status).toBe(0);
    expect(passing.stdout).toContain("actionlint: 1 workflow file OK");
  });
});

describe("test.yml", () => {
  test("runs on push and pull_request without write permissions", async () => {
    const workflow = await loadWorkflow("test.yml");
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(writers(workflow)).toEqual([]);
  });

  test("static checks on Linux, fast and all tests on the three OSes", async () => {
    const { jobs } = await loadWorkflow("test.yml");
    expect(Object.keys(jobs)).toEqual(["static", "test", "slow"]);
    expect(jobs.static?.["runs-on"]).toBe("ubuntu-latest");
    expect(jobs.static?.steps.map((step) => step.run)).toContain("npm run tox -- -m static");
    for (const [name, command] of [
      ["test", "npm test"],
      ["slow", "npm run tox -- -m test_all"],
    ] as const) {
      const job = jobs[name];
      expect(job?.strategy?.matrix?.os, name).toEqual(OSES);
      expect(job?.["runs-on"], name).toBe(expr("matrix.os"));
      expect(job?.steps.map((step) => step.run)).toContain("npm ci --no-audit --no-fund");
      expect(job?.steps.map((step) => step.run)).toContain(command);
    }
  });

  test("the all-tests job exports artifacts into a created dir, uploaded on failure", async () => {
    const slow = (await loadWorkflow("test.yml")).jobs.slow as Job;
    const locate = stepIndex(
      slow,
      (s) => s.run?.includes("ENVSTACKS_EXPORT_TEST_ARTIFACTS=") ?? false,
    );
    expect(slow.steps[locate]?.run).toMatch(/mkdir -p "\$RUNNER_TEMP\/test-artifacts"/);
    const tests = stepIndex(slow, (s) => s.run === "npm run tox -- -m test_all");
    const upload = stepIndex(slow, (s) => s.uses?.startsWith("actions/upload-artifact@") ?? false);
    expect(locate).toBeLessThan(tests);
    expect(tests).toBeLessThan(upload);
    expect(slow.steps[upload]?.if).toBe("failure()");
    expect(slow.steps[upload]?.with?.path).toBe(expr("env.ENVSTACKS_EXPORT_TEST_ARTIFACTS"));
  });

  test("the download cache is the ENVSTACKS_CACHE_DIR, keyed on the committed locks", async () => {
    const slow = (await loadWorkflow("test.yml")).jobs.slow as Job;
    const cache = stepUsing(slow, "actions/cache");
    expect(cache?.with?.path).toBe(expr("env.ENVSTACKS_CACHE_DIR"));
    expect(cache?.with?.key).toContain("hashFiles('sample_project/requirements/**')");
  });
});

describe("update-expected-output.yml", () => {
  test("runs on PRs opened, reopened or ready for review that touch the sample's inputs", async () => {
    const workflow = await loadWorkflow("update-expected-output.yml");
    expect(workflow.on).toEqual({
      pull_request: {
        types: ["opened", "reopened", "ready_for_review"],
        paths: [
          "expected-output/expected-output-config.toml",
          "sample_project/envstacks.toml",
          "sample_project/launch_modules/**",
          "sample_project/support_modules/**",
        ],
      },
    });
  });

  test("only open-pr may write, and exactly contents and pull requests", async () => {
    const workflow = await loadWorkflow("update-expected-output.yml");
    expect(writers(workflow)).toEqual(["open-pr"]);
    expect(workflow.jobs["open-pr"]?.permissions).toEqual({
      contents: "write",
      "pull-requests": "write",
    });
  });

  test("tests, then updates on the three OSes, then opens the PR", async () => {
    const { jobs } = await loadWorkflow("update-expected-output.yml");
    expect(Object.keys(jobs)).toEqual(["test", "update", "open-pr"]);
    expect(jobs.test?.strategy?.matrix?.os).toEqual(OSES);
    expect(jobs.update?.strategy?.matrix?.os).toEqual(OSES);
    expect(jobs.update?.needs).toBe("test");
    expect(jobs["open-pr"]?.needs).toBe("update");
    const testRuns = jobs.test?.steps.map((step) => step.run ?? "").join("\n");
    expect(testRuns).toContain("npm test");
    expect(testRuns).toContain("--tags-filter=slow --tags-filter=!expected_output");
  });

  test("skips PRs from forks", async () => {
    const { jobs } = await loadWorkflow("update-expected-output.yml");
    expect(jobs.test?.if).toContain(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
  });

  test("the update job writes the review report before updating, then uploads both", async () => {
    const update = (await loadWorkflow("update-expected-output.yml")).jobs.update as Job;
    const report = stepIndex(update, (s) =>
      /envstacks\.js verify .*--report review\.md/s.test(s.run ?? ""),
    );
    expect(update.steps[report]?.run).toContain("--expected expected-output");
    const run = stepIndex(
      update,
      (s) => s.run === "bash misc/update_expected_output.sh changed-files.txt",
    );
    const upload = stepIndex(
      update,
      (s) => s.uses?.startsWith("actions/upload-artifact@") ?? false,
    );
    expect(report).toBeLessThan(run);
    expect(run).toBeLessThan(upload);
    expect(update.steps[upload]?.with?.name).toBe(`expected-output-update-${expr("runner.os")}`);
  });

  test("the writing job runs no code from the PR or npm, and applies only update outputs", async () => {
    const openPr = (await loadWorkflow("update-expected-output.yml")).jobs["open-pr"] as Job;
    const actions = openPr.steps.flatMap((step) => (step.uses ? [step.uses.split("@")[0]] : []));
    expect(actions).toEqual(["actions/download-artifact", "actions/checkout"]);
    const scripts = openPr.steps.map((step) => step.run ?? "").join("\n");
    expect(scripts).not.toMatch(/\b(npm|npx|node|tsx)\b|bin\/|misc\/|scripts\/|\.sh\b/);
    expect(scripts).toContain("expected-output/* | sample_project/requirements/*) return 0");
    expect(scripts).toMatch(/gh pr create --base "\$PR_HEAD_REF"/);
  });
});
