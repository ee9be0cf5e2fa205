// Main-thread side of the package feed: a worker thread gunzips and parses a package while this thread inserts.
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import {
  type FeedBatch,
  type FeedEnd,
  type FeedFailure,
  type FeedJob,
  type FeedLines,
  type FeedMessage,
  type FeedStart,
  SIGNAL,
} from "./feed-protocol.js";
import { PackageError, type PackageHeader } from "./format.js";
import { checkHeader } from "./header.js";

export interface PackageFeed {
  header: PackageHeader;
  /** Blocks until the next batch (or the end); throws the worker's PackageError. */
  next(): FeedBatch | FeedLines | FeedEnd;
  close(): Promise<void>;
}

/** ~2,000 rows a message keeps message overhead small; 8 in flight bound memory to a few MB. */
const BATCH_ROWS = 2000;
const MAX_IN_FLIGHT = 8;
/**
 * A small young generation: the reader's garbage is short-lived, and V8's default lets the thread's heap grow
 * by ~25 MB on a 1M-row package for no speed the inserting thread could use (measured: ~86 → ~61 MB RSS growth).
 */
const READER_LIMITS = { maxYoungGenerationSizeMb: 4 };
/** The worker only stops posting on a crash; waiting longer than this means it is gone. */
const STALL_MS = 60_000;

/**
 * A reader thread kept after a clean apply, so the next one skips the thread's start-up (~40 ms from dist/,
 * ~200 ms under tsx): a cache of one resource, like a connection pool. It is unref'd while idle, so it never
 * keeps the process alive. Concurrent applies each take their own thread; only one is kept.
 */
let idleReader: Worker | undefined;

/**
 * Hands `file` to a reader thread and waits (asynchronously) for the header, which is validated here. After
 * that `next()` is synchronous (Atomics.wait + receiveMessageOnPort), so the apply runs inside one synchronous
 * better-sqlite3 transaction: no other code on this connection can slip its writes into it between awaits.
 */
export async function openPackageFeed(file: string): Promise<PackageFeed> {
  const worker = idleReader ?? startWorker();
  idleReader = undefined;
  worker.ref();
  const signals = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const { port1: port, port2 } = new MessageChannel();
  const job: FeedJob = { file, port: port2, signals, batchRows: BATCH_ROWS, maxInFlight: MAX_IN_FLIGHT };
  let finished = false;
  const close = async () => {
    port.close();
    if (finished && idleReader === undefined) {
      worker.unref();
      idleReader = worker;
      return;
    }
    Atomics.store(signals, SIGNAL.cancelled, 1);
    Atomics.notify(signals, SIGNAL.taken);
    await worker.terminate();
  };

  let header: PackageHeader;
  try {
    const start = waitForStart(worker);
    worker.postMessage(job, [port2]);
    const started = await start;
    if (started.kind === "error") throw failure(started);
    header = checkHeader(started.header, 1);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    header,
    next() {
      for (;;) {
        const posted = Atomics.load(signals, SIGNAL.posted);
        const received = receiveMessageOnPort(port);
        if (received) {
          const message = received.message as FeedMessage;
          if (message.kind === "error") throw failure(message);
          if (message.kind === "end") finished = true;
          Atomics.add(signals, SIGNAL.taken, 1);
          Atomics.notify(signals, SIGNAL.taken);
          return message;
        }
        if (Atomics.wait(signals, SIGNAL.posted, posted, STALL_MS) === "timed-out") {
          throw new PackageError("apply", `reader thread stopped answering for ${STALL_MS / 1000}s`);
        }
      }
    },
    close,
  };
}

/** Terminates the idle reader thread, if any (tests, or a process that wants its memory back). */
export async function releasePackageReader(): Promise<void> {
  const worker = idleReader;
  idleReader = undefined;
  await worker?.terminate();
}

function waitForStart(worker: Worker): Promise<FeedStart> {
  return new Promise<FeedStart>((resolve, reject) => {
    const settle = () => {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
    };
    const onMessage = (message: FeedStart) => {
      settle();
      resolve(message);
    };
    const onError = (error: Error) => {
      settle();
      reject(new PackageError("apply", `cannot be read: ${error.message}`, { cause: error }));
    };
    const onExit = (code: number) => {
      settle();
      reject(new PackageError("apply", `cannot be read: reader thread exited with code ${code}`));
    };
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
}

function failure(message: FeedFailure): PackageError {
  return new PackageError(message.problem, message.detail, message.line === undefined ? {} : { line: message.line });
}

/**
 * From dist/ the worker is plain JS. From source (tsx, vitest) it is TypeScript, which a Node 20 worker
 * cannot load by itself even when the parent runs under tsx, so it registers tsx's loader first.
 */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(`./apply-worker.${fromSource ? "ts" : "js"}`, import.meta.url);
  let worker: Worker;
  if (fromSource) {
    const tsx = import.meta.resolve("tsx/esm/api");
    const boot = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry.href)}))`;
    worker = new Worker(boot, { eval: true, resourceLimits: READER_LIMITS });
  } else {
    worker = new Worker(entry, { resourceLimits: READER_LIMITS });
  }
  // An idle thread that dies must not be handed the next package (nor crash this process unheard).
  const forget = () => {
    if (idleReader === worker) idleReader = undefined;
  };
  return worker.on("error", forget).on("exit", forget);
}
