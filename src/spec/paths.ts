/** Launch and support module paths: relative to the spec, existing, and inside the spec directory. */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { quote, type TableReader } from "./fields.js";

export const MODULE_FILE_EXTENSIONS = [".js", ".mjs", ".cjs"] as const;
export const MODULE_DIRECTORY_ENTRIES = ["package.json", "index.js", "index.mjs", "index.cjs"];

const EXPECTED_MODULE = `a ${MODULE_FILE_EXTENSIONS.join("/")} file or a directory holding ${MODULE_DIRECTORY_ENTRIES.join(" or ")}`;

/** The spec directory, lexically and with symlinks resolved, for containment checks. */
export interface SpecRoot {
  dir: string;
  realDir: string;
}

export async function specRoot(specDir: string): Promise<SpecRoot> {
  return { dir: specDir, realDir: await realpath(specDir).catch(() => specDir) };
}

/**
 * Resolves a module path written in the spec to an absolute path (symlinks kept, so the
 * module keeps the name the spec gave it) after checking what it points to.
 */
export async function resolveModulePath(
  reader: TableReader,
  key: string,
  written: string,
  root: SpecRoot,
): Promise<string> {
  const fail = (problem: string): never => reader.fail(key, problem);
  if (written.trim() === "") fail(`expected a path relative to the spec file, got an empty string`);
  if (path.posix.isAbsolute(written) || path.win32.isAbsolute(written)) {
    fail(`expected a path relative to the spec file, got the absolute path ${quote(written)}`);
  }
  const absolute = path.resolve(root.dir, written);
  if (!isInside(root.dir, absolute)) {
    fail(
      `${quote(written)} resolves outside the spec directory ${root.dir}; modules must stay inside it`,
    );
  }

  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    return fail(
      `module not found: ${quote(written)} (looked for ${absolute}); expected ${EXPECTED_MODULE}`,
    );
  }
  if (!isInside(root.realDir, real)) {
    fail(
      `${quote(written)} resolves (through a symlink) to ${real}, outside the spec directory ${root.realDir}; modules must stay inside it`,
    );
  }

  const info = await stat(real);
  if (info.isFile()) {
    const extension = path.extname(real);
    if (!(MODULE_FILE_EXTENSIONS as readonly string[]).includes(extension)) {
      fail(`expected ${EXPECTED_MODULE}, got the file ${quote(written)}`);
    }
  } else if (info.isDirectory()) {
    if (!(await holdsEntryPoint(real))) {
      fail(
        `expected ${EXPECTED_MODULE}, got the directory ${quote(written)} which holds none of them`,
      );
    }
  } else {
    fail(
      `expected ${EXPECTED_MODULE}, got ${quote(written)} which is neither a file nor a directory`,
    );
  }
  return absolute;
}

async function holdsEntryPoint(directory: string): Promise<boolean> {
  for (const entry of MODULE_DIRECTORY_ENTRIES) {
    const info = await stat(path.join(directory, entry)).catch(() => undefined);
    if (info?.isFile()) return true;
  }
  return false;
}

/** True when `candidate` is strictly below `dir`. */
function isInside(dir: string, candidate: string): boolean {
  const relative = path.relative(dir, candidate);
  const escapes = relative === ".." || relative.startsWith(`..${path.sep}`);
  return relative !== "" && !escapes && !path.isAbsolute(relative);
}
