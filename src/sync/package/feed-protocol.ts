// What the inserting thread and the package reader thread say to each other (feed.ts ↔ apply-worker.ts).
import type { MessagePort } from "node:worker_threads";
import type { PackageProblem } from "./format.js";

/** Shared counters (Int32Array slots) that let both threads wait without the event loop. */
export const SIGNAL = { posted: 0, taken: 1, cancelled: 2 } as const;

/** One package to read, posted to the reader thread with a channel of its own. */
export interface FeedJob {
  file: string;
  port: MessagePort;
  signals: Int32Array;
  batchRows: number;
  maxInFlight: number;
}

/**
 * Changes the reader thread parsed. `statements[i]` is the i-th change's statement (`statementOf`); `values` is
 * the JSON of one flat RowValue[]: each change's parameters in turn (its statement says how many).
 */
export type FeedBatch = { kind: "batch"; statements: Uint8Array; values: string };
/**
 * Lines the reader thread passes on unparsed, "\n"-joined, because the inserting thread had nothing left to do:
 * parsing them there beats waiting when the reader thread gets less than a core (a busy machine).
 */
export type FeedLines = { kind: "lines"; firstLine: number; text: string };
export type FeedEnd = { kind: "end"; lines: number };
export type FeedFailure = { kind: "error"; problem: PackageProblem; detail: string; line?: number };
export type FeedMessage = FeedBatch | FeedLines | FeedEnd | FeedFailure;
/** Sent on the worker's parentPort, so a failure before the header still surfaces as an ordinary event. */
export type FeedStart = { kind: "header"; header: unknown } | FeedFailure;
