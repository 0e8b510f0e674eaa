import { defineConfig } from "vitest/config";

const MINUTE = 60_000;

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global-setup.ts"],
    // Tags play pytest markers: `test("…", { tags: ["slow"] }, …)`, filtered with
    // `--tags-filter` by the environments in tox-equivalent.config.ts.
    tags: [
      {
        name: "slow",
        description: "Reaches the npm registry or takes more than a few seconds",
        // Downloads a ~30 MB Node binary on a cold cache.
        timeout: 10 * MINUTE,
      },
      {
        name: "expected_output",
        description: "Builds the sample project and compares with committed expected output",
        timeout: 20 * MINUTE,
        // Wins over `slow` when a test carries both tags.
        priority: 1,
      },
    ],
    strictTags: true,
    testTimeout: 30_000,
    hookTimeout: 2 * MINUTE,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reportsDirectory: "coverage",
      reporter: ["text-summary", "html", "lcov"],
    },
  },
});
