/**
 * A tar stream of source members with nothing that varies between builders: fixed mtime,
 * uid/gid 0, empty user and group names, no device numbers, ustar headers (pax `path` and
 * `linkpath` records only where a name does not fit, e.g. long node_modules paths or
 * non-ASCII names), no atime/ctime records.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tarStream from "tar-stream";
import type { SourceMember } from "./source-tree.js";

/** Streams the tar archive of `members` (in the given order); errors end the stream. */
export function packTar(members: readonly SourceMember[], mtime: Date): Readable {
  const pack = tarStream.pack();
  addMembers(pack, members, mtime).then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  );
  // tar-stream's pack is a streamx stream; its types leave out that it is async-iterable.
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

async function addMembers(
  pack: tarStream.Pack,
  members: readonly SourceMember[],
  mtime: Date,
): Promise<void> {
  for (const member of members) {
    const header = {
      name: member.kind === "directory" ? `${member.path}/` : member.path,
      mode: member.mode,
      mtime,
      uid: 0,
      gid: 0,
      uname: "",
      gname: "",
    };
    if (member.kind === "file" && member.size === 0) {
      await addEntry(pack, { ...header, type: "file" }, Buffer.alloc(0));
    } else if (member.kind === "file") {
      // Read exactly the size listed: a file that changed since is a size mismatch error.
      const content = createReadStream(member.source, { start: 0, end: member.size - 1 });
      await pipeline(content, pack.entry({ ...header, type: "file", size: member.size }));
    } else if (member.kind === "directory") {
      await addEntry(pack, { ...header, type: "directory" });
    } else {
      await addEntry(pack, { ...header, type: "symlink", linkname: member.target });
    }
  }
}

type TarHeader = Parameters<tarStream.Pack["entry"]>[0];

function addEntry(pack: tarStream.Pack, header: TarHeader, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (content) pack.entry(header, content, done);
    else pack.entry(header, done);
  });
}
