/**
 * A small real stack for tests that run whole lock/build/publish cycles: a runtime for the
 * host platform only, one framework with express, one app. The Node binary and packages
 * come through the shared download cache.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const HOST = `${process.platform}-${process.arch}`;

export const SMALL_STACK_LAYERS = ["node-22", "framework-web", "app-hello"];

export const SMALL_STACK_SPEC = `[settings]
exclude_newer = "2026-11-01T00:00:00Z"

[[runtimes]]
name = "node-22"
node_implementation = "node@22.14.0"
platforms = ["${HOST}"]

[[frameworks]]
name = "web"
runtime = "node-22"
requirements = ["express@^4.21.0"]

[[applications]]
name = "hello"
launch_module = "launch_modules/hello.mjs"
frameworks = ["web"]
requirements = ["ms@^2.1.3"]
`;

/** Writes the spec and its launch module into `dir`. */
export async function writeSmallStack(dir: string): Promise<void> {
  await mkdir(path.join(dir, "launch_modules"), { recursive: true });
  await writeFile(path.join(dir, "envstacks.toml"), SMALL_STACK_SPEC);
  await writeFile(
    path.join(dir, "launch_modules", "hello.mjs"),
    'import ms from "ms";\nconsole.log(ms(60000));\n',
  );
}
