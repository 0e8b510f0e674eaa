/** Reading the spec file and parsing its TOML, with errors that point at the file. */
import { readFile, stat } from "node:fs/promises";
import { parse, TomlError } from "smol-toml";
import { SpecError } from "../errors.js";

/** Specs are small; anything bigger is refused rather than parsed (hostile input). */
export const MAX_SPEC_BYTES = 1024 * 1024;

export type TomlTable = Record<string, unknown>;

/** Reads the spec at `specPath` as UTF-8; errors name the file as `displayPath`. */
export async function readSpecFile(specPath: string, displayPath: string): Promise<string> {
  const fail = (problem: string): never => {
    throw new SpecError({ file: displayPath }, problem);
  };
  let bytes: Buffer;
  try {
    const info = await stat(specPath);
    // A FIFO or device could stream forever; only regular files are read.
    if (!info.isFile()) fail("cannot read the stack spec: not a regular file");
    if (info.size > MAX_SPEC_BYTES) fail(tooLarge(info.size));
    bytes = await readFile(specPath);
  } catch (error) {
    if (error instanceof SpecError) throw error;
    return fail(`cannot read the stack spec: ${describeFsError(error)}`);
  }
  if (bytes.length > MAX_SPEC_BYTES) fail(tooLarge(bytes.length));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("cannot read the stack spec: the file is not valid UTF-8");
  }
}

/** Parses TOML text into a table; syntax errors carry line and column. */
export function parseSpecToml(text: string, displayPath: string): TomlTable {
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_SPEC_BYTES) throw new SpecError({ file: displayPath }, tooLarge(size));
  try {
    return parse(text.startsWith("\uFEFF") ? text.slice(1) : text) as TomlTable;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml appends a code excerpt after a blank line; keep the one-line reason.
    const reason = (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document:\s*/, "");
    throw new SpecError(
      { file: displayPath },
      `invalid TOML at line ${error.line}, column ${error.column}: ${reason}`,
    );
  }
}

function tooLarge(size: number): string {
  return `the stack spec is ${size} bytes; at most ${MAX_SPEC_BYTES} bytes (1 MiB) are accepted`;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "file not found";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "not a regular file";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
