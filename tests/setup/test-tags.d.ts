// Makes tsc reject a misspelt tag in `test(name, { tags: [...] }, fn)`; keep in sync with
// the `tags` of vitest.config.ts (which rejects unknown tags at run time: strictTags).
import "vitest";

declare module "vitest" {
  interface TestTags {
    envstacks: "slow" | "expected_output";
  }
}
