/**
 * What keeps reading an archive bounded: a budget of uncompressed bytes for the whole
 * archive (zip bombs, endless tar streams), a limit per member, and content kept in memory
 * only for small files (larger ones are hashed as they stream by).
 */
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { EnvstacksError } from "../errors.js";

export interface ReadLimits {
  maxContentBytes: number;
  maxMemberBytes: number;
  maxTotalBytes: number;
}

/** Counts uncompressed bytes against `maxTotalBytes`; throws past it. */
export class ByteBudget {
  private used = 0;

  constructor(
    private readonly archivePath: string,
    private readonly limits: ReadLimits,
  ) {}

  /** Throws when one member would unpack to more than `maxMemberBytes`. */
  checkMember(member: string, bytes: number): void {
    if (bytes > this.limits.maxMemberBytes) {
      throw new EnvstacksError(
        `${this.archivePath}: member ${member} unpacks to ${bytes} bytes, more than the limit of ${this.limits.maxMemberBytes} (maxMemberBytes)`,
      );
    }
  }

  /** Accounts for `bytes` more uncompressed bytes. */
  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limits.maxTotalBytes) {
      throw new EnvstacksError(
        `${this.archivePath}: unpacks to more than ${this.limits.maxTotalBytes} bytes (maxTotalBytes); stopped reading`,
      );
    }
  }

  /** A pass-through stream that takes every byte flowing through it from the budget. */
  counter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        try {
          this.take(chunk.length);
          callback(null, chunk);
        } catch (error) {
          callback(error as Error);
        }
      },
    });
  }
}

export interface ReadContent {
  size: number;
  sha256: string;
  /** Present when the content is at most `keepUpTo` bytes. */
  content?: Buffer;
}

/** Reads a member's bytes to the end: hash always, content only when small. */
export async function readContent(
  stream: AsyncIterable<Buffer>,
  keepUpTo: number,
): Promise<ReadContent> {
  const hash = createHash("sha256");
  let kept: Buffer[] | undefined = [];
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
    if (kept && size <= keepUpTo) kept.push(chunk);
    else kept = undefined;
  }
  const read: ReadContent = { size, sha256: hash.digest("hex") };
  if (kept) read.content = Buffer.concat(kept, size);
  return read;
}
