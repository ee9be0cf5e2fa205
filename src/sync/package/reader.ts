// Streaming pos-package/1 reader: the header, then each validated change, never the whole file in memory.
import {
  checkCounts,
  type PackageChange,
  PackageError,
  type PackageHeader,
  parseChangeLine,
  type TableCounts,
} from "./format.js";
import { parseHeaderLine } from "./header.js";
import { type PackageSource, readLineBatches } from "./lines.js";

export type PackageEntry =
  | { kind: "header"; line: 1; header: PackageHeader }
  | { kind: "change"; line: number; change: PackageChange };

/**
 * Iterates a package: first `{kind: "header"}`, then one `{kind: "change"}` per line. Every problem is a
 * PackageError naming the line; after the last line the changes counted per table must match the header.
 * Stopping the iteration early closes the source.
 */
export async function* readPackage(source: PackageSource): AsyncGenerator<PackageEntry> {
  let header: PackageHeader | undefined;
  const counted: TableCounts = {};
  let line = 0;
  for await (const batch of readLineBatches(source)) {
    for (const text of batch) {
      line++;
      if (header === undefined) {
        header = parseHeaderLine(text);
        yield { kind: "header", line: 1, header };
        continue;
      }
      const change = parseChangeLine(text, line, header.job);
      counted[change.table] = (counted[change.table] ?? 0) + 1;
      yield { kind: "change", line, change };
    }
  }
  if (header === undefined) throw new PackageError("header", "is empty: line 1 must be the header", { line: 1 });
  checkCounts(header, counted, line);
}

/** Reads only line 1 (e.g. to show a downloaded package) and closes the source. */
export async function readPackageHeader(source: PackageSource): Promise<PackageHeader> {
  for await (const entry of readPackage(source)) {
    if (entry.kind === "header") return entry.header;
  }
  throw new PackageError("header", "is empty: line 1 must be the header", { line: 1 });
}
