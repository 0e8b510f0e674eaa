import { readFileSync } from "node:fs";

/** The envstacks version, from package.json two levels above both `src/build/` and `dist/build/`. */
export function envstacksVersion(): string {
  const manifest = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}
