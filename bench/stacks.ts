/**
 * The stacks the bench measures: the sample project, and a larger stack of real packages
 * (a web framework, a toolchain, three apps sharing them) written into a temp dir, its
 * runtime limited to the host's platform.
 */
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "smol-toml";

export interface BenchStack {
  name: string;
  /** The spec file of the bench's own copy of the stack. */
  specPath: string;
  /** Every layer's requirements, flattened: what the npm baselines install. */
  requirements: string[];
  /** exclude_newer of the spec: npm's `--before`, so both resolve against the same registry state. */
  before: string | undefined;
}

export const STACK_NAMES = ["sample", "large"] as const;
export type StackName = (typeof STACK_NAMES)[number];

/** Copies the sample project's spec and modules (not its locks or builds) into `dir`. */
async function sampleStack(repoRoot: string, dir: string): Promise<string> {
  const source = path.join(repoRoot, "sample_project");
  await mkdir(dir, { recursive: true });
  for (const entry of ["envstacks.toml", "launch_modules", "support_modules"]) {
    await cp(path.join(source, entry), path.join(dir, entry), { recursive: true });
  }
  return path.join(dir, "envstacks.toml");
}

/** A web framework and a toolchain framework on one runtime, and three apps using them. */
export function largeStackToml(platform: string): string {
  return `# Written by the envstacks bench (bench/stacks.ts).
[settings]
exclude_newer = "2026-11-01T00:00:00Z"
runtime_source = "npm"

[[runtimes]]
name = "node-22"
node_implementation = "node@22.14.0"
platforms = ["${platform}"]

[[frameworks]]
name = "web"
runtime = "node-22"
requirements = ["express@^4.21.0", "ejs@^3.1.10", "pg@^8.13.0", "mongodb@^6.10.0"]

[[frameworks]]
name = "toolchain"
runtime = "node-22"
requirements = [
  "typescript@^5.6.0",
  "eslint@^9.15.0",
  "esbuild@^0.25.0",
  "prettier@^3.3.0",
  "terser@^5.36.0",
  "@babel/core@^7.26.0",
  "webpack@^5.96.0",
]

[[applications]]
name = "api"
launch_module = "launch_modules/api.mjs"
frameworks = ["web"]
requirements = ["zod@^3.23.0"]

[[applications]]
name = "site"
launch_module = "launch_modules/site.mjs"
frameworks = ["web"]
requirements = ["marked@^15.0.0"]

[[applications]]
name = "builder"
launch_module = "launch_modules/builder.mjs"
frameworks = ["toolchain", "web"]
requirements = ["chalk@^5.3.0"]
`;
}

const LARGE_LAUNCH_MODULES: Record<string, string> = {
  "api.mjs":
    'import express from "express";\nimport { z } from "zod";\nconsole.log(typeof express, typeof z.string);\n',
  "site.mjs":
    'import ejs from "ejs";\nimport { marked } from "marked";\nconsole.log(ejs.render("<%= x %>", { x: marked.parse("# hi") }));\n',
  "builder.mjs":
    'import ts from "typescript";\nimport chalk from "chalk";\nconsole.log(chalk.green(ts.version));\n',
};

async function largeStack(dir: string, platform: string): Promise<string> {
  await mkdir(path.join(dir, "launch_modules"), { recursive: true });
  for (const [name, text] of Object.entries(LARGE_LAUNCH_MODULES)) {
    await writeFile(path.join(dir, "launch_modules", name), text);
  }
  const specPath = path.join(dir, "envstacks.toml");
  await writeFile(specPath, largeStackToml(platform));
  return specPath;
}

/** Writes the stack into `dir` (emptied first) and reads back what the baselines need. */
export async function prepareStack(
  name: StackName,
  repoRoot: string,
  dir: string,
  platform: string,
): Promise<BenchStack> {
  await rm(dir, { recursive: true, force: true });
  const specPath =
    name === "sample" ? await sampleStack(repoRoot, dir) : await largeStack(dir, platform);
  const { requirements, before } = specRequirements(await readFile(specPath, "utf8"), platform);
  return { name, specPath, requirements, before };
}

/**
 * Every requirement of the layers built for `platform`, flattened and de-duplicated by
 * package name (the first spec of a name wins): the one package.json the npm baselines use.
 */
export function specRequirements(
  toml: string,
  platform: string,
): { requirements: string[]; before: string | undefined } {
  const spec = parse(toml) as {
    settings?: { exclude_newer?: unknown };
    [kind: string]: unknown;
  };
  const byName = new Map<string, string>();
  for (const kind of ["runtimes", "frameworks", "applications"]) {
    const layers = (spec[kind] ?? []) as { requirements?: string[]; platforms?: string[] }[];
    for (const layer of layers) {
      if (layer.platforms !== undefined && !layer.platforms.includes(platform)) continue;
      for (const requirement of layer.requirements ?? []) {
        const name = packageName(requirement);
        if (!byName.has(name)) byName.set(name, requirement);
      }
    }
  }
  const excludeNewer = spec.settings?.exclude_newer;
  return {
    requirements: [...byName.values()],
    before: excludeNewer === undefined ? undefined : new Date(String(excludeNewer)).toISOString(),
  };
}

/** `@scope/name@^1` → `@scope/name`; `name@^1` → `name`. */
export function packageName(requirement: string): string {
  const at = requirement.indexOf("@", 1);
  return at < 0 ? requirement : requirement.slice(0, at);
}

/** `{"dependencies": {...}}` for the flattened requirements. */
export function flatManifest(requirements: readonly string[]): string {
  const dependencies = Object.fromEntries(
    requirements.map((r) => {
      const name = packageName(r);
      return [name, r.length > name.length ? r.slice(name.length + 1) : "*"];
    }),
  );
  return `${JSON.stringify({ name: "envstacks-bench-flat", private: true, dependencies }, null, 2)}\n`;
}
