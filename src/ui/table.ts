// A plain-text table with aligned columns, shared by every command that lists things.
import type { ChalkInstance } from "chalk";
import { padEnd, padStart, visibleWidth } from "./format.js";

export interface TableColumn {
  header: string;
  /** Numbers and amounts read best right-aligned. */
  align?: "left" | "right";
}

export type TableCell = string | number | null | undefined;

export interface TableOptions {
  /** Colours the header; without it the table is plain. */
  color?: ChalkInstance;
  /** Spaces before every line. */
  indent?: number;
  /** What to print instead of a header with no rows below it. */
  empty?: string;
}

/**
 * Renders rows under their headers, each column as wide as its widest cell (colour codes do not count),
 * separated by two spaces; trailing spaces are trimmed so the output diffs cleanly.
 */
export function renderTable(
  columns: ReadonlyArray<TableColumn | string>,
  rows: ReadonlyArray<ReadonlyArray<TableCell>>,
  options: TableOptions = {},
): string {
  const cols: TableColumn[] = columns.map((c) => (typeof c === "string" ? { header: c } : c));
  const margin = " ".repeat(options.indent ?? 0);
  if (rows.length === 0 && options.empty !== undefined) return `${margin}${options.empty}`;
  const text = rows.map((row) => cols.map((_, i) => cellText(row[i])));
  const widths = cols.map((c, i) => Math.max(visibleWidth(c.header), ...text.map((r) => visibleWidth(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    `${margin}${cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return cols[i]?.align === "right" ? padStart(cell, width) : padEnd(cell, width);
      })
      .join("  ")}`.trimEnd();
  const header = line(cols.map((c) => c.header));
  const bold = options.color ? options.color.bold(header) : header;
  return [bold, ...text.map(line)].join("\n");
}

function cellText(cell: TableCell): string {
  if (cell === null || cell === undefined) return "";
  return String(cell);
}
