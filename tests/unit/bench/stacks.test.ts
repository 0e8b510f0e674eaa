import { describe, expect, test } from "vitest";
import {
  flatManifest,
  largeStackToml,
  packageName,
  specRequirements,
} from "../../../bench/stacks.js";

describe("bench stacks", () => {
  test("package names of plain and scoped requirements", () => {
    expect(packageName("express@^4.21.0")).toBe("express");
    expect(packageName("@babel/core@^7.26.0")).toBe("@babel/core");
    expect(packageName("@scope/name")).toBe("@scope/name");
    expect(packageName("lodash")).toBe("lodash");
  });

  test("the large stack's requirements are flattened once each, for the host platform only", () => {
    const { requirements, before } = specRequirements(largeStackToml("linux-x64"), "linux-x64");
    expect(requirements).toContain("express@^4.21.0");
    expect(requirements).toContain("@babel/core@^7.26.0");
    expect(requirements).toContain("chalk@^5.3.0");
    expect(new Set(requirements.map(packageName)).size).toBe(requirements.length);
    expect(before).toBe("2026-11-01T00:00:00.000Z");
  });

  test("layers limited to other platforms are left out", () => {
    const toml = `
[[runtimes]]
name = "n"
node_implementation = "node@22.14.0"
requirements = ["semver@^7.6.0"]
[[frameworks]]
name = "mac"
runtime = "n"
platforms = ["darwin-arm64"]
requirements = ["fsevents@^2.3.0"]
`;
    expect(specRequirements(toml, "linux-x64")).toEqual({
      requirements: ["semver@^7.6.0"],
      before: undefined,
    });
  });

  test("the flat manifest maps names to ranges", () => {
    const manifest = JSON.parse(flatManifest(["express@^4.21.0", "@babel/core@^7.26.0", "ms"]));
    expect(manifest.dependencies).toEqual({
      express: "^4.21.0",
      "@babel/core": "^7.26.0",
      ms: "*",
    });
    expect(manifest.private).toBe(true);
  });
});
