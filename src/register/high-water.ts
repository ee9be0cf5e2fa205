// The register's number high-water mark, kept beside offline.db so losing or restoring the database never reuses a number.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";

/**
 * Every transaction number this register ever handed out is at most the value in `numbers.json`: it is written
 * (and fsynced) before offline.db commits a reservation, so a database restored from a backup, recreated by
 * `pos register reset`, or replaced, continues above it.
 */
export interface HighWaterMark {
  read(): number;
  write(value: number): void;
}

export function fileHighWaterMark(paths: Paths, registerId: string): HighWaterMark {
  const file = paths.numbersFile(registerId);
  return {
    read: () => readHighWater(file),
    write: (value) => writeHighWater(file, value),
  };
}

function readHighWater(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return 0;
    throw new UsageError(
      `${file}: cannot be read (${code ?? (error as Error).message})`,
      "BadNumbersFile",
      "restore the file, or remove what stands in its place",
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { reservedTo?: unknown }).reservedTo;
  } catch {
    value = undefined;
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(
      `${file}: field reservedTo: expected a whole number ≥ 0`,
      "BadNumbersFile",
      "restore the file from a backup (it protects transaction numbers from being used twice)",
    );
  }
  return value;
}

/** Atomic and durable: written to a temporary file, fsynced, renamed over the old one, folder fsynced. */
function writeHighWater(file: string, value: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ format: "pos-numbers/1", reservedTo: value })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
