/** Renders a stack status as an aligned, human-readable table. */
import type { LayerStatus, StackStatus } from "../env/build-environment.js";

const HEADINGS = ["LAYER", "KIND", "INSTALL TARGET", "LOCK", "OPERATIONS"] as const;

export function formatStatusTable(status: StackStatus): string {
  const rows = status.layers.map((layer) => [
    layer.layerName,
    layer.kind,
    layer.installTarget,
    describeLock(layer),
    describeOperations(layer),
  ]);
  return `${alignColumns([[...HEADINGS], ...rows])}\n`;
}

function describeLock({ lock }: LayerStatus): string {
  const version = lock.lockVersion === undefined ? "" : ` v${lock.lockVersion}`;
  const reason = lock.reason === undefined ? "" : ` (${lock.reason})`;
  return `${lock.status}${version}${reason}`;
}

function describeOperations({ operations, selection }: LayerStatus): string {
  const ops = operations.length > 0 ? operations.join(" ") : "none";
  if (selection === "selected") return ops;
  if (selection === "dependency" && operations.length === 0) return "none (dependency, used as is)";
  return `${ops} (${selection})`;
}

/** Pads every column but the last to its widest cell, two spaces apart. */
function alignColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  "),
    )
    .join("\n");
}
