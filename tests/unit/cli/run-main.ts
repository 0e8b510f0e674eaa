/** Runs the CLI's `main()` in process, capturing what it writes. */
import { main } from "../../../src/cli/main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(...args: string[]): Promise<CliResult> {
  const result: CliResult = { code: -1, stdout: "", stderr: "" };
  result.code = await main(["node", "envstacks", ...args], {
    stdout: { write: (text: string) => (result.stdout += text) },
    stderr: { write: (text: string) => (result.stderr += text) },
  });
  return result;
}
