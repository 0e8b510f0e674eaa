import { describe, expect, test } from "vitest";
import {
  lockInputHash,
  otherInputsHash,
  requirementsHash,
  sha256Of,
  stableJson,
  versionInputsHash,
} from "../../../src/lock/hashes.js";

describe("stableJson", () => {
  test("sorts keys recursively, keeps array order, indents by two and ends with a newline", () => {
    const text = stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, skipped: undefined });
    expect(text).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  test("gives the same bytes whatever the insertion order", () => {
    expect(stableJson({ x: 1, y: 2 })).toBe(stableJson({ y: 2, x: 1 }));
  });
});

describe("hashes", () => {
  test("sha256Of is the prefixed hex digest of the concatenated parts", () => {
    expect(sha256Of("ab", "c")).toBe(
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  test("requirements hash covers the lockfile bytes and the inherited list", () => {
    const lock = '{"packages":{}}\n';
    const inherited = [{ name: "ms", version: "2.1.3", layer: "framework-web" }];
    const base = requirementsHash(lock, inherited);
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(requirementsHash(lock, inherited)).toBe(base);
    expect(requirementsHash(`${lock} `, inherited)).not.toBe(base);
    expect(
      requirementsHash(lock, [{ name: "ms", version: "2.1.2", layer: "framework-web" }]),
    ).not.toBe(base);
    expect(requirementsHash(lock, [])).not.toBe(base);
  });

  test("lock input hash changes with the manifest or with the other inputs", () => {
    const inputs = {
      lower_layers: [
        { layer_name: "node-22", requirements_hash: "sha256:1", install_target: "node-22" },
      ],
      platforms: ["linux-x64"],
      node_version: "22.12.0",
      exclude_newer: null,
    };
    const other = otherInputsHash(inputs);
    expect(otherInputsHash({ ...inputs, platforms: ["linux-x64", "win32-x64"] })).not.toBe(other);
    expect(otherInputsHash({ ...inputs, exclude_newer: "2025-06-01T00:00:00.000Z" })).not.toBe(
      other,
    );
    const manifest = '{"dependencies":{}}\n';
    expect(lockInputHash(manifest, other)).toBe(lockInputHash(manifest, other));
    expect(lockInputHash('{"dependencies":{"ms":"*"}}\n', other)).not.toBe(
      lockInputHash(manifest, other),
    );
  });

  test("version inputs hash moves with a lower layer's install target", () => {
    const inputs = {
      requirements_hash: "sha256:1",
      lower_install_targets: ["framework-web@1", "node-22"],
      runtime_binaries: [],
    };
    expect(
      versionInputsHash({ ...inputs, lower_install_targets: ["framework-web@2", "node-22"] }),
    ).not.toBe(versionInputsHash(inputs));
  });
});
