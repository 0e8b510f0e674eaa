/**
 * Child process of the determinism tests: builds the sample tree with the umask it is told
 * (so file modes differ), then writes it in every format. Runs with the TZ and LC_ALL the
 * parent sets. Prints `{ format: sha256 }` as JSON.
 *
 *   node --import tsx write-child.ts <json {root, outDir, umask, order, mtime}>
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ARCHIVE_FORMATS } from "../../../src/archive/formats.js";
import { writeArchive } from "../../../src/archive/write.js";
import { buildSampleTree } from "./sample-tree.js";

interface ChildConfig {
  root: string;
  outDir: string;
  umask: number;
  order: "forward" | "reverse";
  mtime: string;
  threads: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
process.umask(config.umask);
await buildSampleTree(config.root, config.order);
const hashes: Record<string, string> = {};
for (const format of ARCHIVE_FORMATS) {
  const destination = path.join(config.outDir, `layer.${format}`);
  const written = await writeArchive(config.root, "layer", destination, {
    format,
    mtime: new Date(config.mtime),
    threads: config.threads,
  });
  hashes[format] = written.sha256;
  // The reported size is the file's.
  if ((await readFile(destination)).length !== written.size) throw new Error(`size of ${format}`);
}
process.stdout.write(JSON.stringify(hashes));
