/** Writes small stacks into a temp dir and checks the SpecErrors they produce. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { SpecError } from "../../../src/errors.js";
import { StackSpec } from "../../../src/spec/stack-spec.js";

export const RUNTIME = `
[[runtimes]]
name = "node-22"
node_implementation = "node@22.12.0"
`;

/**
 * Writes `envstacks.toml` with `toml` into `dir`, plus the given module files
 * (`launch_modules/server.mjs` etc., created with a line of JavaScript). Returns the spec path.
 */
export async function writeStack(
  dir: string,
  toml: string,
  modules: string[] = [],
): Promise<string> {
  for (const module of modules) {
    const file = path.join(dir, module);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "export {};\n");
  }
  const specPath = path.join(dir, "envstacks.toml");
  await writeFile(specPath, toml);
  return specPath;
}

export async function loadStack(
  dir: string,
  toml: string,
  modules: string[] = [],
): Promise<StackSpec> {
  return StackSpec.load(await writeStack(dir, toml, modules));
}

export interface ExpectedSpecError {
  layer?: string;
  key?: string;
  /** Fragments the problem must contain (what was expected, what was found). */
  says: string[];
}

/** Loads the stack and asserts the SpecError's file, layer, key and message fragments. */
export async function expectSpecError(
  dir: string,
  toml: string,
  expected: ExpectedSpecError,
  modules: string[] = [],
): Promise<SpecError> {
  const specPath = await writeStack(dir, toml, modules);
  return expectRejection(StackSpec.load(specPath), specPath, expected);
}

export async function expectRejection(
  promise: Promise<unknown>,
  file: string,
  expected: ExpectedSpecError,
): Promise<SpecError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, "expected a SpecError").toBeInstanceOf(SpecError);
  const specError = error as SpecError;
  expect(specError.location).toEqual({ file, layer: expected.layer, key: expected.key });
  const where = [file, expected.layer, expected.key].filter(Boolean).join(": ");
  expect(specError.message.startsWith(`${where}: `), specError.message).toBe(true);
  for (const fragment of expected.says) expect(specError.message).toContain(fragment);
  // One clear line: no stack, no code excerpt.
  expect(specError.message).not.toContain("\n");
  return specError;
}
