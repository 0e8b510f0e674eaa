import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import {
  parsePackagesList,
  reviewReport,
  type StackState,
} from "../../../src/verify/review-report.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

interface LayerFixture {
  size?: number;
  lockVersion: number;
  packages: string;
}

/** Writes a state's requirements/<layer>/ and env_metadata/<layer>.json files. */
async function writeState(name: string, layers: Record<string, LayerFixture>): Promise<StackState> {
  const state = {
    requirementsDir: path.join(tempDir(), name, "requirements"),
    metadataDir: path.join(tempDir(), name, "linux-x64"),
  };
  for (const [layer, fixture] of Object.entries(layers)) {
    const lockDir = path.join(state.requirementsDir, layer);
    await mkdir(lockDir, { recursive: true });
    await writeFile(path.join(lockDir, `packages-${layer}.txt`), fixture.packages);
    await writeFile(
      path.join(lockDir, "lock-meta.json"),
      JSON.stringify({ layer_name: layer, lock_version: fixture.lockVersion }),
    );
    if (fixture.size === undefined) continue;
    const metadataDir = path.join(state.metadataDir, "env_metadata");
    await mkdir(metadataDir, { recursive: true });
    await writeFile(
      path.join(metadataDir, `${layer}.json`),
      JSON.stringify({
        layer_name: layer,
        install_target: layer,
        archive_name: `${layer}.tar.gz`,
        archive_format: "tar.gz",
        archive_size: fixture.size,
        archive_hashes: { sha256: "0".repeat(64) },
        archive_build: 1,
        lock_version: fixture.lockVersion,
        locked_at: "2025-01-01T00:00:00.000Z",
      }),
    );
  }
  return state;
}

const HEADER = "# Shared packages inherited from other layers";

describe("parsePackagesList", () => {
  test("reads the own section, then the inherited one with the providing layer", () => {
    const list = parsePackagesList(
      `debug==4.4.1\nms==2.0.0\n${HEADER}\nms==2.1.3  # framework-base\n`,
    );
    expect(list).toEqual({
      own: [
        { name: "debug", version: "4.4.1" },
        { name: "ms", version: "2.0.0" },
      ],
      inherited: [{ name: "ms", version: "2.1.3", layer: "framework-base" }],
    });
  });

  test("keeps scoped names apart from the version", () => {
    expect(parsePackagesList("@scope/pkg==1.0.0\n").own).toEqual([
      { name: "@scope/pkg", version: "1.0.0" },
    ]);
  });
});

describe("reviewReport", () => {
  test("flags size changes beyond ±10 % only", async () => {
    const packages = `${HEADER}\n`;
    const before = await writeState("before", {
      "app-big": { size: 1000, lockVersion: 1, packages },
      "app-small": { size: 1000, lockVersion: 1, packages },
      "app-shrunk": { size: 1000, lockVersion: 1, packages },
    });
    const after = await writeState("after", {
      "app-big": { size: 1200, lockVersion: 1, packages },
      "app-small": { size: 1050, lockVersion: 1, packages },
      "app-shrunk": { size: 850, lockVersion: 1, packages },
    });
    const report = await reviewReport(before, after);
    expect(report).toContain("| `app-big` | 1000 B | 1200 B | ⚠️ **+20.0 %** |");
    expect(report).toContain("| `app-small` | 1000 B | 1050 B | +5.0 % |");
    expect(report).toContain("| `app-shrunk` | 1000 B | 850 B | ⚠️ **-15.0 %** |");
    // Table rows in layer-name order.
    expect(report.indexOf("app-big")).toBeLessThan(report.indexOf("app-shrunk"));
    expect(report.indexOf("app-shrunk")).toBeLessThan(report.indexOf("app-small"));
  });

  test("names packages that moved between own and inherited, and lock version bumps", async () => {
    const before = await writeState("before", {
      "framework-base": {
        size: 500,
        lockVersion: 1,
        packages: `debug==4.4.1\nms==2.1.3\n${HEADER}\n`,
      },
      "app-server": {
        size: 1000,
        lockVersion: 1,
        packages: `kleur==4.1.5\n${HEADER}\nms==2.1.3  # framework-base\n`,
      },
    });
    const after = await writeState("after", {
      "framework-base": {
        size: 500,
        lockVersion: 1,
        packages: `debug==4.4.1\nms==2.1.3\n${HEADER}\n`,
      },
      "app-server": {
        size: 1500,
        lockVersion: 2,
        packages: `ms==2.0.0\nsemver==7.7.2\n${HEADER}\nkleur==4.1.5  # framework-base\n`,
      },
    });
    const report = await reviewReport(before, after);
    expect(report).toContain("- `app-server`: lock_version 1 → 2");
    expect(report).toContain(
      "- **moved from inherited to own**: `ms` 2.1.3 from `framework-base` (inherited) → 2.0.0 (own)",
    );
    expect(report).toContain(
      "- **moved from own to inherited**: `kleur` 4.1.5 (own) → 4.1.5 from `framework-base` (inherited)",
    );
    expect(report).toContain("- added: `semver` 7.7.2 (own)");
    expect(report).not.toContain("framework-base`: lock_version");
    expect(report).not.toContain("#### `framework-base`");
  });

  test("lists layers added and removed", async () => {
    const before = await writeState("before", {
      "app-old": { size: 100, lockVersion: 3, packages: `ms==2.1.3\n${HEADER}\n` },
    });
    const after = await writeState("after", {
      "app-new": { size: 100, lockVersion: 1, packages: `ms==2.1.3\n${HEADER}\n` },
    });
    const report = await reviewReport(before, after);
    expect(report).toContain("- added: `app-new`");
    expect(report).toContain("- removed: `app-old`");
    expect(report).toContain("| `app-new` | — | 100 B | new |");
    expect(report).toContain("- removed: `ms` 2.1.3 (own)");
  });

  test("says there is nothing to review when both states are equal", async () => {
    const layers = {
      "app-server": { size: 1000, lockVersion: 2, packages: `ms==2.1.3\n${HEADER}\n` },
    };
    const report = await reviewReport(await writeState("a", layers), await writeState("b", layers));
    expect(report).toBe(
      "## envstacks review report\n\nNo changes to archive sizes, locks or packages.\n",
    );
  });
});
