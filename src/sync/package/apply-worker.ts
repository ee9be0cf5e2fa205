// Reader thread of applyPackage: decompresses, splits, parses and validates packages beside the inserting thread.
import { parentPort } from "node:worker_threads";
import type { RowValue } from "../../schema/tables.js";
import { type FeedJob, type FeedMessage, type FeedStart, SIGNAL } from "./feed-protocol.js";
import { lineOption, PackageError, parseChangeLine, parseJson, statementOf } from "./format.js";
import { readLineBatches } from "./lines.js";

// The main thread hands over one package at a time and waits for its end before sending the next.
parentPort?.on("message", (job: FeedJob) => {
  void readJob(job);
});

async function readJob(job: FeedJob): Promise<void> {
  let headerSent = false;
  try {
    await feed(job, () => {
      headerSent = true;
    });
  } catch (error) {
    const failure: FeedMessage =
      error instanceof PackageError
        ? { kind: "error", problem: error.problem, detail: error.detail, ...lineOption(error.line) }
        : { kind: "error", problem: "apply", detail: `cannot be read: ${(error as Error).message}` };
    if (headerSent) post(job, failure);
    else parentPort?.postMessage(failure satisfies FeedStart);
  }
}

async function feed(job: FeedJob, onHeader: () => void): Promise<void> {
  // The main thread validates the header (with zod, which this thread would be slow to load) and stops this
  // thread if it is wrong; until then the header's job only tells which tables a line may name.
  let packageJob: string | undefined;
  let line = 0;
  let statements = new Uint8Array(job.batchRows);
  let count = 0;
  let values: RowValue[] = [];
  const flush = () => {
    if (count === 0) return;
    sendBatch(job, statements.subarray(0, count), values);
    statements = new Uint8Array(job.batchRows);
    count = 0;
    values = [];
  };

  for await (let lines of readLineBatches(job.file)) {
    if (packageJob === undefined) {
      const header = parseJson(lines[0] ?? "", 1);
      packageJob = String((header as { job?: unknown } | null)?.job);
      parentPort?.postMessage({ kind: "header", header } satisfies FeedStart);
      onHeader();
      line = 1;
      lines = lines.slice(1);
    }
    if (lines.length === 0) continue;
    if (inserterIdle(job)) {
      // Order matters: what was parsed before these lines goes first.
      flush();
      post(job, { kind: "lines", firstLine: line + 1, text: lines.join("\n") });
      line += lines.length;
      continue;
    }
    for (const text of lines) {
      line++;
      const change = parseChangeLine(text, line, packageJob, values);
      statements[count++] = statementOf(change);
      if (count === job.batchRows) flush();
    }
  }
  if (packageJob === undefined) throw new PackageError("header", "is empty: line 1 must be the header", { line: 1 });
  flush();
  post(job, { kind: "end", lines: line });
}

/** Everything posted has been taken: the inserting thread is busy with its last message or waiting. */
function inserterIdle(job: FeedJob): boolean {
  return Atomics.load(job.signals, SIGNAL.posted) === Atomics.load(job.signals, SIGNAL.taken);
}

/** Blocks this thread while the inserting thread is `maxInFlight` messages behind, so memory stays bounded. */
function sendBatch(job: FeedJob, statements: Uint8Array, values: RowValue[]): void {
  const { signals } = job;
  for (;;) {
    if (Atomics.load(signals, SIGNAL.cancelled)) throw new PackageError("apply", "cancelled");
    const taken = Atomics.load(signals, SIGNAL.taken);
    if (Atomics.load(signals, SIGNAL.posted) - taken < job.maxInFlight) break;
    Atomics.wait(signals, SIGNAL.taken, taken, 1000);
  }
  // One JSON string of one flat array per batch: on the inserting thread, parsing it is cheaper than a
  // structured clone of thousands of arrays, and cheaper than parsing an array per row.
  post(job, { kind: "batch", statements, values: JSON.stringify(values) });
}

function post(job: FeedJob, message: FeedMessage): void {
  job.port.postMessage(message);
  Atomics.add(job.signals, SIGNAL.posted, 1);
  Atomics.notify(job.signals, SIGNAL.posted);
}
