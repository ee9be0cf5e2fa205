// Turns a gzip NDJSON byte stream into batches of lines, splitting on "\n" by hand with bounded memory.
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { PackageError } from "./format.js";

/** A file path, or a byte stream such as an HTTP response body. */
export type PackageSource = string | Readable;

/** Bigger inflate chunks mean fewer, larger line batches; 64 KB matches the writer's chunks. */
const INFLATE_CHUNK = 64 * 1024;
/** A line longer than this is not a row: refusing it keeps memory bounded on a file without newlines. */
const MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Yields the complete lines of each decompressed chunk (without their "\n"). A batch per chunk rather than a
 * line at a time keeps the per-line cost a string slice instead of an async iteration step; readline was
 * measured markedly slower (PERF-NOTES). Several gzip members in a row read as one stream (the writer uses that).
 */
export async function* readLineBatches(source: PackageSource): AsyncGenerator<string[]> {
  const input = typeof source === "string" ? createReadStream(source, { highWaterMark: INFLATE_CHUNK }) : source;
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
  input.on("error", (error: Error) => gunzip.destroy(error));
  input.pipe(gunzip);
  const decoder = new StringDecoder("utf8");
  let tail = "";
  let lineCount = 0;
  try {
    for await (const chunk of gunzip) {
      const text = tail + decoder.write(chunk as Buffer);
      const lines: string[] = [];
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        lines.push(text.slice(start, end));
        start = end + 1;
      }
      tail = text.slice(start);
      lineCount += lines.length;
      if (tail.length > MAX_LINE_CHARS) {
        throw new PackageError("line", `is longer than ${MAX_LINE_CHARS} characters`, { line: lineCount + 1 });
      }
      if (lines.length > 0) yield lines;
    }
  } catch (error) {
    if (error instanceof PackageError) throw error;
    throw new PackageError("line", `cannot be decompressed (${(error as Error).message})`, {
      line: lineCount + 1,
      cause: error,
    });
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  tail += decoder.end();
  // The last line normally ends with "\n"; one without it is still a line.
  if (tail.length > 0) yield [tail];
}
