import { describe, expect, test } from "vitest";
import type { ToxConfig } from "../../../scripts/tox/config.js";
import {
  expandCommands,
  filterEnvironment,
  knownLabels,
  parseToxArgs,
  selectEnvironments,
  ToxUsageError,
} from "../../../scripts/tox/select.js";
import realConfig from "../../../tox-equivalent.config.js";

const config: ToxConfig = {
  passEnv: ["PATH", "CI", "ENVSTACKS_*"],
  envs: {
    lint: {
      description: "lint",
      labels: ["static"],
      commands: [["biome", "check", "{posargs}"]],
      defaultPosargs: ["."],
    },
    typecheck: { description: "types", labels: ["static"], commands: [["tsc", "--noEmit"]] },
    test: {
      description: "fast",
      labels: ["test"],
      commands: [["vitest", "run", "--tags-filter=!slow", "{posargs}"]],
      passEnv: ["EXTRA_ONLY_FOR_TEST"],
      setEnv: { NODE_OPTIONS: "--no-warnings" },
    },
    test_all: {
      description: "all",
      labels: ["test_all"],
      commands: [["vitest", "run", "{posargs}"]],
    },
  },
};

describe("parseToxArgs", () => {
  test("collects repeated labels and comma-separated envs in order", () => {
    expect(
      parseToxArgs(["-m", "static", "-m", "test_all", "-e", "lint,test", "--env=typecheck"]),
    ).toEqual({
      help: false,
      list: false,
      labels: ["static", "test_all"],
      envs: ["lint", "test", "typecheck"],
      posargs: undefined,
    });
  });

  test("everything after -- is posargs, even flags the runner knows", () => {
    const args = parseToxArgs(["-e", "test", "--", "tests/unit/spec", "-e", "-l"]);
    expect(args.envs).toEqual(["test"]);
    expect(args.list).toBe(false);
    expect(args.posargs).toEqual(["tests/unit/spec", "-e", "-l"]);
  });

  test("a bare -- gives empty posargs, not the defaults", () => {
    expect(parseToxArgs(["-e", "lint", "--"]).posargs).toEqual([]);
  });

  test("-l, -h and attached values", () => {
    expect(parseToxArgs(["-l"]).list).toBe(true);
    expect(parseToxArgs(["--help"]).help).toBe(true);
    expect(parseToxArgs(["-mstatic", "-elint"])).toMatchObject({
      labels: ["static"],
      envs: ["lint"],
    });
  });

  test("rejects unknown flags and missing values", () => {
    expect(() => parseToxArgs(["-x"])).toThrow(ToxUsageError);
    expect(() => parseToxArgs(["-e"])).toThrow(/-e needs a value/);
    expect(() => parseToxArgs(["tests/unit"])).toThrow(/unknown argument "tests\/unit"/);
  });
});

describe("selectEnvironments", () => {
  test("labels expand in label order, then config order within a label, each env once", () => {
    expect(selectEnvironments(config, { labels: ["test_all", "static"], envs: ["lint"] })).toEqual([
      "test_all",
      "lint",
      "typecheck",
    ]);
  });

  test("no selection runs every environment", () => {
    expect(selectEnvironments(config, { labels: [], envs: [] })).toEqual(Object.keys(config.envs));
  });

  test("unknown env or label is a usage error naming it and the known ones", () => {
    expect(() => selectEnvironments(config, { labels: [], envs: ["tset"] })).toThrow(
      "unknown environment tset (known: lint, typecheck, test, test_all)",
    );
    expect(() => selectEnvironments(config, { labels: ["statc"], envs: [] })).toThrow(
      "unknown label statc (known: static, test, test_all)",
    );
  });
});

describe("expandCommands", () => {
  test("posargs replace the defaults; no posargs keeps them", () => {
    expect(expandCommands(config, "lint", undefined)).toEqual([["biome", "check", "."]]);
    expect(expandCommands(config, "lint", ["src/a.ts", "src/b.ts"])).toEqual([
      ["biome", "check", "src/a.ts", "src/b.ts"],
    ]);
    expect(expandCommands(config, "test", ["tests/unit/spec"])).toEqual([
      ["vitest", "run", "--tags-filter=!slow", "tests/unit/spec"],
    ]);
    expect(expandCommands(config, "test", undefined)).toEqual([
      ["vitest", "run", "--tags-filter=!slow"],
    ]);
  });

  test("commands without {posargs} ignore them", () => {
    expect(expandCommands(config, "typecheck", ["x"])).toEqual([["tsc", "--noEmit"]]);
  });
});

describe("filterEnvironment", () => {
  const source = {
    PATH: "/bin",
    CI: "true",
    ENVSTACKS_CACHE_DIR: "/cache",
    ENVSTACKS_EXPORT_TEST_ARTIFACTS: "/export",
    npm_config_nodedir: "/somewhere",
    SECRET_TOKEN: "x",
    EXTRA_ONLY_FOR_TEST: "1",
    ENVSTACK: "not a prefix match",
  };

  test("passes only listed names and prefixes", () => {
    expect(filterEnvironment(config, "lint", source, "linux")).toEqual({
      PATH: "/bin",
      CI: "true",
      ENVSTACKS_CACHE_DIR: "/cache",
      ENVSTACKS_EXPORT_TEST_ARTIFACTS: "/export",
    });
  });

  test("adds the env's own passEnv and setEnv", () => {
    const env = filterEnvironment(config, "test", source, "linux");
    expect(env.EXTRA_ONLY_FOR_TEST).toBe("1");
    expect(env.NODE_OPTIONS).toBe("--no-warnings");
    expect(env.SECRET_TOKEN).toBeUndefined();
  });

  test("names match case-insensitively on Windows only", () => {
    expect(filterEnvironment(config, "lint", { Path: "C:\\bin" }, "win32")).toEqual({
      Path: "C:\\bin",
    });
    expect(filterEnvironment(config, "lint", { Path: "/bin" }, "linux")).toEqual({});
  });
});

describe("the repository's tox-equivalent.config.ts", () => {
  test("declares the documented environments and labels", () => {
    expect(Object.keys(realConfig.envs)).toEqual([
      "lint",
      "typecheck",
      "actionlint",
      "test",
      "test_all",
      "expected_output",
      "coverage",
    ]);
    expect(knownLabels(realConfig)).toEqual([
      "static",
      "test",
      "test_all",
      "expected_output",
      "coverage",
    ]);
    expect(selectEnvironments(realConfig, { labels: ["static"], envs: [] })).toEqual([
      "lint",
      "typecheck",
      "actionlint",
    ]);
  });

  test("fast tests exclude slow ones; expected_output selects only its tag", () => {
    expect(expandCommands(realConfig, "test", undefined).flat()).toContain("--tags-filter=!slow");
    expect(expandCommands(realConfig, "expected_output", undefined).flat()).toContain(
      "--tags-filter=expected_output",
    );
    expect(expandCommands(realConfig, "test_all", undefined).flat().join(" ")).not.toMatch(
      /tags-filter/,
    );
  });

  test("passes CI and ENVSTACKS_* through but not npm's or arbitrary variables", () => {
    const env = filterEnvironment(
      realConfig,
      "test",
      {
        CI: "true",
        ENVSTACKS_CACHE_DIR: "/c",
        npm_config_nodedir: "/n",
        npm_config_omit_lockfile_registry_resolved: "true",
        AWS_SECRET_ACCESS_KEY: "s",
      },
      "linux",
    );
    expect(env).toEqual({ CI: "true", ENVSTACKS_CACHE_DIR: "/c" });
  });
});
