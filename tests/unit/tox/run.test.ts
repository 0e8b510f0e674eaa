import { readFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import type { ToxConfig } from "../../../scripts/tox/config.js";
import { runTox } from "../../../scripts/tox/main.js";
import { formatList } from "../../../scripts/tox/run.js";
import { useTempDir } from "../../helpers/temp-dir.js";

/** Collects what the runner writes. */
function collector(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join("") });
}

/** A node command writing its argv and env as JSON to `<dir>/<name>.json`. */
function recordTo(name: string): string[] {
  return [
    "node",
    "-e",
    `require("node:fs").writeFileSync(require("node:path").join(process.cwd(), ${JSON.stringify(`${name}.json`)}), JSON.stringify({ argv: process.argv.slice(1), env: process.env }))`,
  ];
}

const config: ToxConfig = {
  passEnv: ["PATH", "SYSTEMROOT", "CI", "ENVSTACKS_*"],
  envs: {
    pass: {
      description: "exits 0",
      labels: ["ok", "mixed"],
      commands: [["node", "-e", "process.exit(0)"]],
    },
    fail: {
      description: "exits 3, then would record",
      labels: ["mixed"],
      commands: [["node", "-e", "process.exit(3)"], recordTo("after-failure")],
    },
    record: {
      description: "records argv and env",
      labels: ["record"],
      commands: [[...recordTo("record"), "{posargs}"]],
      defaultPosargs: ["default-arg"],
      setEnv: { SET_BY_ENV: "yes" },
    },
    missing: {
      description: "no such tool",
      labels: [],
      commands: [["envstacks-no-such-tool-xyz"]],
    },
  },
};

interface Recorded {
  argv: string[];
  env: Record<string, string>;
}

async function readRecord(dir: string, name: string): Promise<Recorded> {
  return JSON.parse(await readFile(path.join(dir, `${name}.json`), "utf8")) as Recorded;
}

describe("runTox", () => {
  const tempDir = useTempDir();

  async function tox(argv: string[], sourceEnv: NodeJS.ProcessEnv = process.env) {
    const out = collector();
    const err = collector();
    const code = await runTox(argv, { config, root: tempDir(), out, err, sourceEnv });
    return { code, out: out.text(), err: err.text() };
  }

  test("-l lists environments with descriptions and labels, runs nothing", async () => {
    const result = await tox(["-l"]);
    expect(result.code).toBe(0);
    expect(result.out).toBe(formatList(config));
    expect(result.out).toContain("  fail    -> exits 3, then would record [labels: mixed]\n");
    expect(result.out).toContain("  mixed -> pass, fail\n");
  });

  test("all passing: OK lines, congratulations, exit 0", async () => {
    const result = await tox(["-m", "ok"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("pass: commands[0]> node -e process.exit(0)\n");
    expect(result.out).toMatch(/^ {2}pass: OK \(\d+\.\d\d seconds\)$/m);
    expect(result.out).toMatch(/^ {2}congratulations :\) \(\d+\.\d\d seconds\)\n$/m);
  });

  test("a failing env: FAIL with its exit code, later envs still run, exit 1", async () => {
    const result = await tox(["-m", "mixed", "-e", "record"]);
    expect(result.code).toBe(1);
    const summary = result.out.slice(result.out.indexOf("  pass: OK"));
    expect(
      summary.split("\n").map((line) => line.replace(/\(\d+\.\d\d seconds\)$/, "(…)")),
    ).toEqual([
      "  pass: OK (…)",
      "  fail: FAIL code 3 (…)",
      "  record: OK (…)",
      "  evaluation failed :( (…)",
      "",
    ]);
    // The failing env stopped at its first failing command.
    await expect(readFile(path.join(tempDir(), "after-failure.json"))).rejects.toThrow(/ENOENT/);
  });

  test("a command that cannot start fails its env with the reason", async () => {
    const result = await tox(["-e", "missing"]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/ {2}missing: FAIL cannot run envstacks-no-such-tool-xyz: .*ENOENT/);
  });

  test("default posargs, replaced by args after --", async () => {
    expect((await tox(["-e", "record"])).code).toBe(0);
    expect((await readRecord(tempDir(), "record")).argv.slice(-1)).toEqual(["default-arg"]);

    expect((await tox(["-e", "record", "--", "tests/unit/spec", "--reporter=dot"])).code).toBe(0);
    expect((await readRecord(tempDir(), "record")).argv.slice(-2)).toEqual([
      "tests/unit/spec",
      "--reporter=dot",
    ]);
  });

  test("commands see CI, ENVSTACKS_* and setEnv but not other variables", async () => {
    const code = (
      await tox(["-e", "record"], {
        ...process.env,
        CI: "true",
        ENVSTACKS_CACHE_DIR: "/tmp/cache-for-test",
        npm_config_nodedir: "/should/not/leak",
        UNRELATED_SECRET: "hidden",
      })
    ).code;
    expect(code).toBe(0);
    const { env } = await readRecord(tempDir(), "record");
    expect(env.CI).toBe("true");
    expect(env.ENVSTACKS_CACHE_DIR).toBe("/tmp/cache-for-test");
    expect(env.SET_BY_ENV).toBe("yes");
    expect(env.UNRELATED_SECRET).toBeUndefined();
    expect(env.npm_config_nodedir).toBeUndefined();
    // node_modules/.bin of the root comes first on PATH, as with `npm run`.
    const pathKey = Object.keys(env).find((key) => key.toUpperCase() === "PATH") ?? "PATH";
    expect(env[pathKey]?.split(path.delimiter)[0]).toBe(
      path.join(tempDir(), "node_modules", ".bin"),
    );
  });

  test("unknown env or label: clear error on stderr, exit 2, nothing runs", async () => {
    const env = await tox(["-e", "pass,nope"]);
    expect(env.code).toBe(2);
    expect(env.err).toMatch(
      /^tox: error: unknown environment nope \(known: pass, fail, record, missing\)/,
    );
    expect(env.out).toBe("");

    const label = await tox(["-m", "nope"]);
    expect(label.code).toBe(2);
    expect(label.err).toContain("unknown label nope (known: ok, mixed, record)");
  });
});
