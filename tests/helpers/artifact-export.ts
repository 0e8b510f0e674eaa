/**
 * Saving what a test built, so a maintainer (or CI, as an uploaded artifact) can look at it:
 * when `ENVSTACKS_EXPORT_TEST_ARTIFACTS=DIR` names an existing directory, a failing test —
 * any test with `ENVSTACKS_FORCE_TEST_EXPORT=1` — copies its locks, manifests (published
 * metadata) and archives to `DIR/<test-file-stem>/{requirements,manifests,archives}`.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { beforeEach } from "vitest";

export const EXPORT_DIR_VARIABLE = "ENVSTACKS_EXPORT_TEST_ARTIFACTS";
export const FORCE_EXPORT_VARIABLE = "ENVSTACKS_FORCE_TEST_EXPORT";

/** What a test made: a project's `requirements/` and a published OUTPUT_DIR. */
export interface TestArtifacts {
  requirementsDir: string;
  outputDir: string;
}

export interface ExportOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** `expected-output` for `…/tests/sample/expected-output.test.ts` (a path or a file URL). */
export function testFileStem(testFile: string): string {
  const file = testFile.startsWith("file:") ? new URL(testFile).pathname : testFile;
  return path.basename(file).replace(/(\.test)?\.[cm]?[jt]sx?$/, "");
}

/**
 * Copies `artifacts` to `<export dir>/<stem>/` (replacing an earlier export there) and returns
 * that directory; undefined when no export dir is set, or it does not exist (said in one line).
 */
export async function exportTestArtifacts(
  stem: string,
  artifacts: TestArtifacts,
  { env = process.env, log = (line) => console.log(line) }: ExportOptions = {},
): Promise<string | undefined> {
  const root = env[EXPORT_DIR_VARIABLE];
  if (!root) return undefined;
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
    log(`${EXPORT_DIR_VARIABLE}: ${root} does not exist, skipping the export of test artifacts`);
    return undefined;
  }
  const target = path.resolve(root, stem);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await cp(artifacts.requirementsDir, path.join(target, "requirements"), { recursive: true });
  const manifests = path.join(target, "manifests");
  const metadataDir = path.join(artifacts.outputDir, "__envstacks__");
  await mkdir(manifests);
  for (const name of ["envstacks.json", "env_metadata"]) {
    const source = path.join(metadataDir, name);
    if (existsSync(source)) await cp(source, path.join(manifests, name), { recursive: true });
  }
  const archives = path.join(target, "archives");
  await mkdir(archives);
  for (const entry of await readdir(artifacts.outputDir, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.startsWith(".")) {
      await cp(path.join(artifacts.outputDir, entry.name), path.join(archives, entry.name));
    }
  }
  log(`exported test artifacts to ${target}`);
  return target;
}

/**
 * Exports the calling file's artifacts after a failing test (after any test too with
 * `ENVSTACKS_FORCE_TEST_EXPORT=1`), at most once per file. `artifacts` is read when a test
 * ends: undefined (nothing built yet) exports nothing.
 */
export function useArtifactExport(
  testFile: string,
  artifacts: () => TestArtifacts | undefined,
  options: ExportOptions = {},
): void {
  const env = options.env ?? process.env;
  let exported = false;
  const exportOnce = async () => {
    const found = artifacts();
    if (exported || found === undefined) return;
    exported = true;
    await exportTestArtifacts(testFileStem(testFile), found, options);
  };
  beforeEach(({ onTestFailed, onTestFinished }) => {
    if (!env[EXPORT_DIR_VARIABLE]) return;
    onTestFailed(exportOnce);
    if (env[FORCE_EXPORT_VARIABLE] === "1") onTestFinished(exportOnce);
  });
}
