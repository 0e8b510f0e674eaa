/**
 * A small layer-like tree for archive tests: executables, relative symlinks (one with a long
 * target), a hard link, an empty directory, a path and a file name too long for a plain tar
 * header, non-ASCII names, names whose byte order differs from locale order.
 */
import { randomInt } from "node:crypto";
import { link, mkdir, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";

export const LONG_NAME = `${"long-file-name-".repeat(8)}end.js`;
export const DEEP_DIR = [
  "node_modules",
  "@scope",
  "a-package-with-a-rather-long-name",
  "node_modules",
  "another-package-with-a-long-name",
  "lib",
  "internal",
  "helpers",
].join("/");
export const UNICODE_NAME = "ünïcødé-名前.txt";
/** Deterministic, incompressible-looking content, larger than one stream chunk. */
export const LARGE_CONTENT = Buffer.from(
  Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 8)) % 251),
);

type Node =
  | { path: string; dir: true }
  | { path: string; content: string | Buffer; mode?: number }
  | { path: string; symlink: string }
  | { path: string; hardlink: string };

export const SAMPLE_TREE: Node[] = [
  { path: "bin", dir: true },
  { path: "bin/tool", content: "#!/bin/sh\necho tool\n", mode: 0o755 },
  { path: "bin/tool-link", symlink: "tool" },
  { path: "lib", dir: true },
  { path: "lib/readme.txt", content: "readme\n", mode: 0o600 },
  { path: "lib/hard-readme.txt", hardlink: "lib/readme.txt" },
  { path: `lib/${UNICODE_NAME}`, content: "unicode\n" },
  { path: "lib/large.bin", content: LARGE_CONTENT },
  { path: "lib/empty.txt", content: "" },
  { path: "lib/Z.txt", content: "Z\n" },
  { path: "lib/a", dir: true },
  { path: "lib/a/x.txt", content: "a/x\n" },
  { path: "lib/a-b.txt", content: "a-b\n" },
  { path: "lib/é.txt", content: "e acute\n" },
  { path: "empty-dir", dir: true },
  { path: "node_modules", dir: true },
  { path: "node_modules/.bin", dir: true },
  { path: "node_modules/.bin/pkg", symlink: "../pkg/cli.js" },
  { path: "node_modules/pkg", dir: true },
  { path: "node_modules/pkg/cli.js", content: "#!/usr/bin/env node\n", mode: 0o775 },
  { path: `node_modules/pkg/${LONG_NAME}`, content: "long name\n" },
  { path: DEEP_DIR, dir: true },
  { path: `${DEEP_DIR}/${LONG_NAME}`, content: "deep and long\n" },
  {
    path: "node_modules/.bin/deep",
    symlink: `../${DEEP_DIR.slice("node_modules/".length)}/${LONG_NAME}`,
  },
];

/**
 * Creates SAMPLE_TREE under `root` (which must not exist), in the given order, with random
 * file times: archives must not depend on either.
 */
export async function buildSampleTree(root: string, order: "forward" | "reverse" = "forward") {
  await mkdir(root, { recursive: true });
  const nodes = order === "forward" ? SAMPLE_TREE : [...SAMPLE_TREE].reverse();
  for (const node of nodes) {
    const target = path.join(root, node.path);
    await mkdir(path.dirname(target), { recursive: true });
    if ("dir" in node) await mkdir(target, { recursive: true });
  }
  for (const node of nodes) {
    const target = path.join(root, node.path);
    if ("content" in node) await writeFile(target, node.content, { mode: node.mode ?? 0o644 });
  }
  for (const node of nodes) {
    const target = path.join(root, node.path);
    if ("symlink" in node) await symlink(node.symlink, target);
    if ("hardlink" in node) await link(path.join(root, node.hardlink), target);
  }
  for (const node of nodes) {
    if ("symlink" in node) continue;
    const time = randomInt(1_000_000_000, 1_700_000_000);
    await utimes(path.join(root, node.path), time, time);
  }
}

/** The tree as an archive reader should report it below the top-level directory. */
export function expectedMembers(): Map<string, { type: string; mode: number; link?: string }> {
  const members = new Map<string, { type: string; mode: number; link?: string }>();
  for (const node of SAMPLE_TREE) {
    const segments = node.path.split("/");
    for (let i = 1; i < segments.length; i++) {
      members.set(segments.slice(0, i).join("/"), { type: "directory", mode: 0o755 });
    }
  }
  for (const node of SAMPLE_TREE) {
    if ("dir" in node) members.set(node.path, { type: "directory", mode: 0o755 });
    else if ("symlink" in node) {
      members.set(node.path, { type: "symlink", mode: 0o777, link: node.symlink });
    } else if ("hardlink" in node) members.set(node.path, { type: "file", mode: 0o644 });
    else members.set(node.path, { type: "file", mode: (node.mode ?? 0) & 0o111 ? 0o755 : 0o644 });
  }
  return members;
}
