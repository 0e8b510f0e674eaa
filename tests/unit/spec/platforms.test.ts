import { describe, expect, test } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { expectSpecError, loadStack } from "./spec-helpers.js";

const tempDir = useTempDir();

const runtime = (platforms?: string) =>
  `[[runtimes]]\nname = "node-22"\nnode_implementation = "node@22.12.0"\n${platforms ? `platforms = ${platforms}\n` : ""}`;
const framework = (name: string, ...lines: string[]) =>
  `[[frameworks]]\nname = "${name}"\n${lines.join("\n")}\n`;

describe("platforms", () => {
  test("a framework inherits the intersection of its runtime's and frameworks' platforms", async () => {
    const toml = [
      runtime('["linux-x64", "linux-arm64", "darwin-arm64", "win32-x64"]'),
      framework(
        "web",
        'runtime = "node-22"',
        'platforms = ["win32-x64", "linux-x64", "darwin-arm64"]',
      ),
      framework("tools", 'runtime = "node-22"', 'platforms = ["linux-x64", "darwin-arm64"]'),
      framework("both", 'frameworks = ["web", "tools"]'),
      framework("plain", 'runtime = "node-22"'),
    ].join("");
    const spec = await loadStack(tempDir(), toml);
    expect(spec.getLayer("framework-both")?.platforms).toEqual(["linux-x64", "darwin-arm64"]);
    expect(spec.getLayer("framework-plain")?.platforms).toEqual([
      "linux-x64",
      "linux-arm64",
      "darwin-arm64",
      "win32-x64",
    ]);
    // Explicit lists keep the order they were written in.
    expect(spec.getLayer("framework-web")?.platforms).toEqual([
      "win32-x64",
      "linux-x64",
      "darwin-arm64",
    ]);
  });

  test("an application inherits its bases' shared platforms", async () => {
    const toml = `${runtime()}${framework("tools", 'runtime = "node-22"', 'platforms = ["linux-x64"]')}[[applications]]\nname = "cli"\nframeworks = ["tools"]\nlaunch_module = "cli.mjs"\n`;
    const spec = await loadStack(tempDir(), toml, ["cli.mjs"]);
    expect(spec.getLayer("app-cli")?.platforms).toEqual(["linux-x64"]);
  });

  test("an unknown platform is refused, listing the known ones", async () => {
    await expectSpecError(tempDir(), runtime('["linux-x64", "linux-x86"]'), {
      layer: "node-22",
      key: "platforms[1]",
      says: [
        'unknown platform "linux-x86"',
        "linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64",
      ],
    });
  });

  test("a platform listed twice is refused", async () => {
    await expectSpecError(tempDir(), runtime('["linux-x64", "linux-x64"]'), {
      layer: "node-22",
      key: "platforms[1]",
      says: ["platform linux-x64 is listed twice"],
    });
  });

  test("an empty platform list is refused", async () => {
    await expectSpecError(tempDir(), runtime("[]"), {
      layer: "node-22",
      key: "platforms",
      says: ["expected at least one of", "got an empty array"],
    });
  });

  test("platforms must be an array of strings", async () => {
    await expectSpecError(tempDir(), runtime('"linux-x64"'), {
      layer: "node-22",
      key: "platforms",
      says: ["expected an array of strings", 'got a string ("linux-x64")'],
    });
  });

  test("explicit platforms the runtime lacks name the platforms and the runtime", async () => {
    const toml = `${runtime('["linux-x64"]')}${framework("web", 'runtime = "node-22"', 'platforms = ["linux-x64", "win32-x64", "darwin-arm64"]')}`;
    await expectSpecError(tempDir(), toml, {
      layer: "framework-web",
      key: "platforms",
      says: ["win32-x64, darwin-arm64 are not provided by node-22", "targets only linux-x64"],
    });
  });

  test("explicit platforms a base framework lacks name that framework", async () => {
    const toml = `${runtime()}${framework("tools", 'runtime = "node-22"', 'platforms = ["linux-x64"]')}[[applications]]\nname = "cli"\nframeworks = ["tools"]\nlaunch_module = "cli.mjs"\nplatforms = ["linux-x64", "win32-x64"]\n`;
    await expectSpecError(
      tempDir(),
      toml,
      {
        layer: "app-cli",
        key: "platforms",
        says: ["win32-x64 is not provided by framework-tools"],
      },
      ["cli.mjs"],
    );
  });

  test("bases that share no platform are an error", async () => {
    const toml = [
      runtime(),
      framework("mac", 'runtime = "node-22"', 'platforms = ["darwin-arm64"]'),
      framework("win", 'runtime = "node-22"', 'platforms = ["win32-x64"]'),
      framework("both", 'frameworks = ["mac", "win"]'),
    ].join("");
    await expectSpecError(tempDir(), toml, {
      layer: "framework-both",
      key: "platforms",
      says: [
        "share no target platform",
        "framework-mac (darwin-arm64)",
        "framework-win (win32-x64)",
      ],
    });
  });
});
