/**
 * Compression streams whose output depends only on the input bytes (and the compressor's
 * version): gzip from node:zlib with a fixed header, xz from the system `xz` in its
 * multi-threaded mode with a fixed block size, so the thread count never changes the bytes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Duplex, Readable, Transform, type TransformCallback } from "node:stream";
import { constants, createGzip } from "node:zlib";
import { EnvstacksError } from "../errors.js";

/** gzip header byte 9 names the OS that wrote the stream; zlib puts the build host's there. */
const GZIP_OS_OFFSET = 9;
/** "Unix": what gzip writes on POSIX systems, and right for archives holding POSIX modes. */
const GZIP_OS_UNIX = 3;

/**
 * Level 9 gzip as pipeline stages: zlib (header mtime 0, its default), then the OS byte set to
 * a constant.
 */
export function gzipStages(): [Transform, Transform] {
  const gzip = createGzip({
    level: 9,
    memLevel: 8,
    windowBits: 15,
    strategy: constants.Z_DEFAULT_STRATEGY,
  });
  return [gzip, patchByte(GZIP_OS_OFFSET, GZIP_OS_UNIX)];
}

/** Replaces the byte at `offset` of a stream with `value`. */
function patchByte(offset: number, value: number): Transform {
  let position = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (position <= offset && offset < position + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[offset - position] = value;
      }
      position += chunk.length;
      callback(null, chunk);
    },
  });
}

/**
 * xz settings of published archives. Preset 6 is xz's default; a fixed block size makes the
 * multi-threaded encoder split the input at the same places whatever the thread count (and
 * records sizes in the block headers, which the single-threaded encoder of `--threads=1` does
 * not: `+1` keeps one thread in the multi-threaded mode). `--no-adjust` makes xz fail rather
 * than silently change settings that alter the output. Checked with xz 5.4.1: `--threads=1`
 * gives other bytes than 2, while `+1`, 2 and 3 agree; other xz versions may give other bytes.
 */
export const XZ_COMPRESS_ARGS = [
  "--compress",
  "--stdout",
  "-6",
  "--check=crc64",
  "--block-size=16MiB",
  "--no-adjust",
] as const;

/** The `--threads` argument for `threads` threads, always in multi-threaded mode. */
export function xzThreadsArg(threads: number): string {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new EnvstacksError(`xz thread count must be a positive integer, got ${threads}`);
  }
  return threads === 1 ? "--threads=+1" : `--threads=${threads}`;
}

/** A system `xz` compressing what is written to it with the settings above. */
export function xzCompressor(threads: number): Promise<Duplex> {
  return startXz([...XZ_COMPRESS_ARGS, xzThreadsArg(threads)], "pipe");
}

/** A system `xz` decompressing the file at `archivePath` to its readable side. */
export async function xzDecompressed(archivePath: string): Promise<Readable> {
  return startXz(["--decompress", "--stdout", "--", archivePath], "ignore");
}

/**
 * Spawns xz; the returned stream's readable side is xz's stdout, and it ends with an error
 * when xz exits non-zero (its stderr as the reason). Destroying the stream stops xz.
 */
async function startXz(args: string[], stdin: "pipe"): Promise<Duplex>;
async function startXz(args: string[], stdin: "ignore"): Promise<Readable>;
async function startXz(args: string[], stdin: "pipe" | "ignore"): Promise<Duplex | Readable> {
  const child = spawn("xz", args, { stdio: [stdin, "pipe", "pipe"], env: xzEnv() });
  try {
    await once(child, "spawn");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new EnvstacksError(
      missing
        ? "xz archives need the `xz` command (install xz-utils): not found on PATH"
        : `could not start xz: ${(error as Error).message}`,
    );
  }
  const readable = Readable.from(xzOutput(child, args));
  if (stdin === "ignore" || child.stdin === null) return readable;
  // xz stopping early (an error) would make writes fail with EPIPE: the exit status says why.
  child.stdin.on("error", () => undefined);
  return Duplex.from({ writable: child.stdin, readable });
}

/** xz's stdout, then its exit status; stops xz when the consumer stops reading. */
async function* xzOutput(child: ChildProcess, args: string[]): AsyncGenerator<Buffer> {
  const stderr: Buffer[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    if (child.stdout) yield* child.stdout;
    const [code, signal] = await exited;
    if (code !== 0) {
      const reason = Buffer.concat(stderr).toString("utf8").trim() || `signal ${signal}`;
      throw new EnvstacksError(`xz ${args.join(" ")} failed (exit ${code}): ${reason}`);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/** The environment without XZ_OPT and XZ_DEFAULTS, which would change xz's settings. */
function xzEnv(): NodeJS.ProcessEnv {
  const { XZ_OPT: _opt, XZ_DEFAULTS: _defaults, ...env } = process.env;
  return env;
}
