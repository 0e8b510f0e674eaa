/** Where the CLI writes; tests pass their own sinks to run `main()` in process. */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr };
