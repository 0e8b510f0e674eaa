/**
 * A small user stack for verify tests: a runtime for the host platform alone (linux-x64 on
 * Linux CI: one Node binary to download), a framework, an app using `ms`.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { hostPlatform } from "../../../src/build/platform.js";

/** `debug` brings `ms` into the framework as a transitive package, so an app may shadow it. */
export function verifyStackToml(msRequirement = "ms@^2.1.0", withApp = true): string {
  const app = `
[[applications]]
name = "server"
launch_module = "launch_modules/server.mjs"
frameworks = ["base"]
requirements = ["${msRequirement}"]
`;
  return `
[settings]
exclude_newer = "2025-06-01T00:00:00Z"

[[runtimes]]
name = "node-22"
node_implementation = "node@22.12.0"
platforms = ["${hostPlatform()}"]

[[frameworks]]
name = "base"
runtime = "node-22"
requirements = ["debug@^4.3.0"]
${withApp ? app : ""}`;
}

/** Writes the stack into `dir/stack/`; returns the spec path. */
export async function writeVerifyStack(dir: string, toml = verifyStackToml()): Promise<string> {
  const stackDir = path.join(dir, "stack");
  await mkdir(path.join(stackDir, "launch_modules"), { recursive: true });
  await writeFile(
    path.join(stackDir, "launch_modules", "server.mjs"),
    'import ms from "ms";\nconsole.log(ms(60000));\n',
  );
  const specPath = path.join(stackDir, "envstacks.toml");
  await writeFile(specPath, toml);
  return specPath;
}

/** sha256 of every file below `dir`, by relative path: to show a tree was not touched. */
export async function treeDigest(dir: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    digest[path.relative(dir, file)] = createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
  }
  return digest;
}
