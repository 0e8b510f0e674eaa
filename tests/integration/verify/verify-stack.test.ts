import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "vitest";
import { hostPlatform } from "../../../src/build/platform.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";
import { type VerifyOptions, verifyStack } from "../../../src/verify/verify-stack.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { treeDigest, verifyStackToml, writeVerifyStack } from "./verify-fixture.js";

const tempDir = useTempDir();

async function verify(specPath: string, options: Omit<VerifyOptions, "expectedDir">) {
  const env = (await StackSpec.load(specPath)).defineBuildEnvironment();
  return verifyStack(env, {
    expectedDir: path.join(tempDir(), "expected-output"),
    format: "tar.gz",
    // One build directory for the test's runs: later runs only rebuild what changed.
    buildDir: path.join(tempDir(), "build"),
    ...options,
  });
}

const changedPaths = (report: Awaited<ReturnType<typeof verify>>) =>
  [...report.locks, ...report.metadata].filter((c) => c.status !== "same").map((c) => c.path);

test("update writes the expected output, verify then passes, a changed requirement is caught and exported", {
  tags: ["slow"],
}, async () => {
  const platform = hostPlatform();
  const specPath = await writeVerifyStack(tempDir());
  const specDir = path.dirname(specPath);
  const expectedPlatformDir = path.join(tempDir(), "expected-output", platform);

  const created = await verify(specPath, { update: true });
  expect(created.equal).toBe(false);
  expect(created.updated.map((u) => path.relative(tempDir(), u.path))).toEqual(
    expect.arrayContaining([
      path.join("stack", "requirements", "app-server", "package-lock.json"),
      path.join("expected-output", platform, "envstacks.json"),
      path.join("expected-output", platform, "env_metadata", "app-server.json"),
    ]),
  );
  expect((await readdir(path.join(expectedPlatformDir, "env_metadata"))).sort()).toEqual([
    "app-server.json",
    "framework-base.json",
    "node-22.json",
  ]);

  const clean = await verify(specPath, {});
  expect(changedPaths(clean)).toEqual([]);
  expect(clean.equal).toBe(true);
  expect(clean.exportedTo).toBeUndefined();

  // ms@2.0.0 conflicts with the ms the framework pulls in through debug: the app gets its own.
  await writeFile(specPath, verifyStackToml("ms@2.0.0"));
  const committed = await treeDigest(tempDir());
  const exportDir = path.join(tempDir(), "artifacts");
  const changed = await verify(specPath, { exportDir, reviewReport: true });
  expect(changed.equal).toBe(false);
  expect(changedPaths(changed)).toEqual([
    "requirements/app-server/lock-meta.json",
    "requirements/app-server/package-lock.json",
    "requirements/app-server/package.json",
    "requirements/app-server/packages-app-server.txt",
    "env_metadata/app-server.json",
    "envstacks.json",
  ]);
  const lockPatch = changed.locks.find((c) => c.path.endsWith("package-lock.json"))?.patch;
  expect(lockPatch).toContain("--- expected/requirements/app-server/package-lock.json");
  expect(lockPatch).toContain('+      "resolved": "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz"');
  // Nothing committed was touched (the build dir and the export are new).
  const after = await treeDigest(tempDir());
  for (const [file, digest] of Object.entries(committed)) {
    if (!file.startsWith("build")) expect([file, after[file]]).toEqual([file, digest]);
  }
  expect(changed.exportedTo).toBe(exportDir);
  for (const file of [
    "requirements/app-server/package-lock.json",
    "manifests/envstacks.json",
    "manifests/env_metadata/app-server.json",
    "archives/app-server.tar.gz",
    "archives/node-22.tar.gz",
  ]) {
    expect(after[path.join("artifacts", ...file.split("/"))], file).toBeDefined();
  }
  const exportedLock = await readFile(
    path.join(exportDir, "requirements", "app-server", "package-lock.json"),
    "utf8",
  );
  expect(exportedLock).toContain("ms-2.0.0.tgz");
  expect(changed.reviewReport).toMatch(
    /\| `app-server` \| \d+ B \| \d+ B \| ⚠️ \*\*\+\d+\.\d %\*\* \|/,
  );
  expect(changed.reviewReport).toContain(
    "- **moved from inherited to own**: `ms` 2.1.3 from `framework-base` (inherited) → 2.0.0 (own)",
  );
  expect(changed.reviewReport).toContain("- `app-server`: lock_version 1 → 2");

  // An application removed from the spec: update removes its committed files.
  await writeFile(specPath, verifyStackToml("ms@2.0.0", false));
  const removed = await verify(specPath, { update: true });
  expect(removed.updated.filter((u) => u.action === "removed").map((u) => u.path)).toEqual(
    expect.arrayContaining([
      path.join(specDir, "requirements", "app-server", "package-lock.json"),
      path.join(expectedPlatformDir, "env_metadata", "app-server.json"),
    ]),
  );
  expect(await readdir(path.join(specDir, "requirements"))).not.toContain("app-server");
  expect(await readdir(path.join(expectedPlatformDir, "env_metadata"))).not.toContain(
    "app-server.json",
  );
  expect((await verify(specPath, {})).equal).toBe(true);
});
