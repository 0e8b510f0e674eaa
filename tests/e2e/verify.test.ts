/** `envstacks verify` through the built CLI, on a small user stack. */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "vitest";
import { hostPlatform } from "../../src/build/platform.js";
import { envstacks } from "../helpers/cli.js";
import { useTempDir } from "../helpers/temp-dir.js";
import {
  treeDigest,
  verifyStackToml,
  writeVerifyStack,
} from "../integration/verify/verify-fixture.js";

const tempDir = useTempDir();

test("verify --update creates the expected output, verify passes, a changed requirement exits 1 with diffs", {
  tags: ["slow"],
}, async () => {
  const platform = hostPlatform();
  const specPath = await writeVerifyStack(tempDir());
  const run = (...args: string[]) =>
    envstacks(
      ["verify", "stack/envstacks.toml", "--expected", "expected", "--format", "tar.gz", ...args],
      tempDir(),
    );

  const created = await run("--update");
  expect(created.stderr).not.toContain("error");
  expect(created.code).toBe(0);
  expect(created.stdout).toContain(
    `wrote ${path.join("expected", platform, "env_metadata", "app-server.json")}\n`,
  );
  expect(created.stdout).toContain(
    `wrote ${path.join("stack", "requirements", "app-server", "package-lock.json")}\n`,
  );

  const clean = await run();
  expect(clean.code).toBe(0);
  expect(clean.stdout).toBe(
    "locks (requirements/): all 12 files match\n" +
      `metadata (${path.join("expected", platform)}): all 4 files match\n`,
  );

  await writeFile(specPath, verifyStackToml("ms@2.0.0"));
  const committed = await treeDigest(tempDir());
  const changed = await run("--export", "artifacts", "--report", "review.md");
  expect(changed.code).toBe(1);
  expect(changed.stdout).toContain("changed: requirements/app-server/package-lock.json\n");
  expect(changed.stdout).toContain("--- expected/requirements/app-server/package-lock.json\n");
  expect(changed.stdout).toContain("+++ actual/requirements/app-server/package-lock.json\n");
  expect(changed.stdout).toContain('-        "ms": "^2.1.0"\n');
  expect(changed.stdout).toContain('+        "ms": "2.0.0"\n');
  expect(changed.stdout).toContain("changed: env_metadata/app-server.json\n");
  expect(changed.stdout).toContain("+ms==2.0.0\n");
  expect(changed.stdout).toMatch(/locks \(requirements\/\): 4 of 12 files differ: 4 changed\n/);
  expect(changed.stderr).toContain("envstacks: exported the fresh artifacts to artifacts\n");

  // The user's spec dir and expected output are as they were; only the new files appeared.
  const after = await treeDigest(tempDir());
  for (const [file, digest] of Object.entries(committed)) {
    expect([file, after[file]]).toEqual([file, digest]);
  }
  const added = Object.keys(after)
    .filter((file) => committed[file] === undefined)
    .map((file) => file.split(path.sep).join("/"))
    .sort();
  expect(added).toEqual([
    "artifacts/archives/app-server.tar.gz",
    "artifacts/archives/framework-base.tar.gz",
    "artifacts/archives/node-22.tar.gz",
    "artifacts/manifests/env_metadata/app-server.json",
    "artifacts/manifests/env_metadata/framework-base.json",
    "artifacts/manifests/env_metadata/node-22.json",
    "artifacts/manifests/envstacks.json",
    ...["lock-meta.json", "package-lock.json", "package.json", "packages-app-server.txt"].map(
      (f) => `artifacts/requirements/app-server/${f}`,
    ),
    ...["lock-meta.json", "package-lock.json", "package.json", "packages-framework-base.txt"].map(
      (f) => `artifacts/requirements/framework-base/${f}`,
    ),
    ...["lock-meta.json", "package-lock.json", "package.json", "packages-node-22.txt"].map(
      (f) => `artifacts/requirements/node-22/${f}`,
    ),
    "review.md",
  ]);

  const review = await readFile(path.join(tempDir(), "review.md"), "utf8");
  expect(review).toMatch(/\| `app-server` \| \d+ B \| \d+ B \| ⚠️ \*\*\+\d+\.\d %\*\* \|/);
  expect(review).toContain("**moved from inherited to own**: `ms`");
});
