import { NotImplementedError } from "../errors.js";

/** Fails a command whose capability this version lacks, never pretending it succeeded. */
export function notImplemented(command: string, capability: string): never {
  throw new NotImplementedError(
    `envstacks ${command}: ${capability} is not implemented in this version`,
  );
}
