/** A small valid stack spec written into a test's temp dir (no network needed to load it). */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export const STACK_TOML = `
[[runtimes]]
name = "node-22"
node_implementation = "node@22.12.0"
versioned = true

[[frameworks]]
name = "base"
runtime = "node-22"
requirements = ["ms@^2.1.0"]

[[frameworks]]
name = "web"
frameworks = ["base"]
requirements = ["express@^4.21.0"]

[[applications]]
name = "server"
launch_module = "launch_modules/server.mjs"
frameworks = ["web"]

[[applications]]
name = "tool"
launch_module = "launch_modules/tool.mjs"
runtime = "node-22"
`;

export const STACK_LAYERS = [
  "node-22",
  "framework-base",
  "framework-web",
  "app-server",
  "app-tool",
];

/** Writes `envstacks.toml` and its launch modules into `dir`; returns the spec path. */
export async function writeStack(dir: string, toml: string = STACK_TOML): Promise<string> {
  await mkdir(path.join(dir, "launch_modules"), { recursive: true });
  await writeFile(path.join(dir, "launch_modules", "server.mjs"), 'console.log("server");\n');
  await writeFile(path.join(dir, "launch_modules", "tool.mjs"), 'console.log("tool");\n');
  const specPath = path.join(dir, "envstacks.toml");
  await writeFile(specPath, toml);
  return specPath;
}
