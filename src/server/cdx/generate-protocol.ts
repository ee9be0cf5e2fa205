// Messages between the CDX service and its thread (writing a run's packages, applying a channel database's
// package), and the thread itself (kept idle between jobs).
import { Worker } from "node:worker_threads";
import type { ApplyResult, ExpectedSession } from "../../sync/package/apply.js";
import type { TableCounts } from "../../sync/package/format.js";
import type { HqSource, PackagePlan } from "./generate.js";

export interface ApplyJob {
  kind: "apply";
  /** The channel database file: the thread opens its own connection (WAL), the server's keeps serving. */
  database: string;
  file: string;
  expected: ExpectedSession;
  now: string;
}

export type ApplyOutcome = { ok: true; result: ApplyResult } | { ok: false; message: string };

export interface GenerateJob {
  kind: "generate";
  /** The thread opens its own snapshot of HQ (a read-only SQLite connection, or a PostgreSQL connection). */
  source: HqSource;
  /** toVersion is the snapshot's, known only once the thread has opened it. */
  plans: Omit<PackagePlan, "toVersion">[];
}

export type GenerateOutcome =
  | {
      ok: true;
      /** change_tracking.version of the snapshot: every package of the run ends here. */
      version: number;
      written: { rows: TableCounts; size: number; sha256: string; empty: boolean }[];
    }
  /** unavailable: HQ's database could not be reached (PostgreSQL away) — a state the API answers 503, not a defect. */
  | { ok: false; message: string; unavailable?: boolean };

let idle: Worker | undefined;

/**
 * Writes the run's packages on a worker thread, so reading HQ, building rows and gzip never stall the requests
 * (sales) the server's event loop is serving. One idle thread is kept for the next run.
 */
export function generateOnWorker(job: Omit<GenerateJob, "kind">): Promise<GenerateOutcome> {
  return onWorker<GenerateOutcome>({ kind: "generate", ...job });
}

/**
 * Applies a package to a channel database on the thread: gunzip, parsing and the inserts run off the event
 * loop. Sales of that store wait on SQLite's lock (busy timeout) while the apply commits; lookups, and every
 * other store, go on.
 */
export async function applyOnWorker(job: Omit<ApplyJob, "kind">): Promise<ApplyResult> {
  const outcome = await onWorker<ApplyOutcome>({ kind: "apply", ...job });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.result;
}

async function onWorker<T>(job: GenerateJob | ApplyJob): Promise<T> {
  const worker = idle ?? startWorker();
  idle = undefined;
  worker.ref();
  try {
    const outcome = await new Promise<T>((resolve, reject) => {
      const onMessage = (message: T) => {
        cleanup();
        resolve(message);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the package-writing thread exited (${code})`));
      };
      const cleanup = () => {
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      };
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      worker.postMessage(job);
    });
    if (idle === undefined) {
      worker.unref();
      idle = worker;
    } else {
      void worker.terminate();
    }
    return outcome;
  } catch (error) {
    void worker.terminate();
    throw error;
  }
}

/** From dist/ the worker is plain JS; from source (tsx, vitest) it registers tsx's loader first (see feed.ts). */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(`./generate-worker.${fromSource ? "ts" : "js"}`, import.meta.url);
  let worker: Worker;
  if (fromSource) {
    const tsx = import.meta.resolve("tsx/esm/api");
    const boot = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry.href)}))`;
    worker = new Worker(boot, { eval: true });
  } else {
    worker = new Worker(entry);
  }
  // An idle thread that dies must not be handed the next run (nor crash this process unheard).
  const forget = () => {
    if (idle === worker) idle = undefined;
  };
  return worker.on("error", forget).on("exit", forget);
}
