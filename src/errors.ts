/**
 * Errors a user can act on. The CLI prints `message` alone (no stack trace) and exits
 * non-zero; anything that is not an EnvstacksError is a bug and is shown with its stack.
 */
export class EnvstacksError extends Error {
  override name = "EnvstacksError";
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
}

/** Where in a spec file a problem was found; every spec error names all three. */
export interface SpecLocation {
  /** Path of the spec file, as given by the user. */
  file: string;
  /** Layer name (`framework-web`) or table (`settings`); undefined for file-level errors. */
  layer?: string;
  /** Key inside the layer's table (`requirements[1]`, `launch_module`). */
  key?: string;
}

/** A problem in a stack spec: `<file>: <layer>: <key>: <what was expected>`. */
export class SpecError extends EnvstacksError {
  override name = "SpecError";
  override readonly exitCode = 2;

  constructor(
    readonly location: SpecLocation,
    readonly problem: string,
  ) {
    super(formatSpecMessage(location, problem));
  }
}

function formatSpecMessage(location: SpecLocation, problem: string): string {
  const where = [location.file, location.layer, location.key].filter(Boolean).join(": ");
  return `${where}: ${problem}`;
}

/** Bad command-line usage (unknown layer pattern, conflicting options). */
export class UsageError extends EnvstacksError {
  override name = "UsageError";
  override readonly exitCode = 2;
}

/** A capability the CLI lists but this version does not implement yet. */
export class NotImplementedError extends EnvstacksError {
  override name = "NotImplementedError";
  override readonly exitCode = 3;
}

/**
 * Ends a command with a non-zero status after its output has said everything, as `cmp`
 * and `diff` do when their inputs differ: the CLI prints nothing more.
 */
export class QuietExit extends EnvstacksError {
  override name = "QuietExit";
  override readonly exitCode: number;

  constructor(exitCode: number, reason: string) {
    super(reason);
    this.exitCode = exitCode;
  }
}
