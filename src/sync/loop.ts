// Background sync while a register runs: pull every downloadInterval, push every uploadInterval, one round at a time.
import type { Clock } from "../lib/clock.js";

export interface SyncRound {
  kind: "download" | "upload";
  ok: boolean;
  message: string;
}

export interface SyncLoopOptions {
  clock: Clock;
  downloadMs: number;
  uploadMs: number;
  pullOnce: () => Promise<string>;
  pushOnce: () => Promise<string>;
  /** Sends the register's offline status to HQ after each round; failures are ignored (it is informational). */
  report?: () => Promise<void>;
  /** Whether the server is worth trying (the register is online): offline rounds are skipped, not failed. */
  shouldRun?: () => boolean;
  onRound?: (round: SyncRound) => void;
}

export interface SyncLoop {
  start(): void;
  /** Stops scheduling and waits for a round in progress. */
  stop(): Promise<void>;
  /** Runs one round now unless one is running (used by tests and `status`). */
  runNow(kind: "download" | "upload"): Promise<SyncRound | null>;
  /** Resolves once no round is running (after a virtual clock moved: replay waits on it). */
  idle(): Promise<void>;
}

export function createSyncLoop(options: SyncLoopOptions): SyncLoop {
  let stopped = true;
  let abort = new AbortController();
  let current: Promise<SyncRound | null> | null = null;

  // Never two rounds at once: runNow while a round runs does nothing (the scheduled loops wait their turn).
  const runNow = (kind: "download" | "upload"): Promise<SyncRound | null> => {
    if (current) return Promise.resolve(null);
    if (options.shouldRun && !options.shouldRun()) return Promise.resolve(null);
    current = (async () => {
      let round: SyncRound;
      try {
        const message = await (kind === "download" ? options.pullOnce() : options.pushOnce());
        round = { kind, ok: true, message };
      } catch (error) {
        round = { kind, ok: false, message: (error as Error).message };
      }
      try {
        await options.report?.();
      } catch {
        // HQ's view is informational; a failed report must never disturb the cashier.
      }
      options.onRound?.(round);
      return round;
    })().finally(() => {
      current = null;
    });
    return current;
  };

  const schedule = (kind: "download" | "upload", everyMs: number) => {
    void (async () => {
      while (!stopped) {
        await options.clock.sleep(everyMs, abort.signal);
        // Due while the other kind of round runs: it goes after it, not skipped (on a virtual clock equal
        // intervals always fall due together, and downloads would never run).
        while (current && !stopped) await current;
        if (stopped) break;
        await runNow(kind);
      }
    })();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      abort = new AbortController();
      schedule("download", options.downloadMs);
      schedule("upload", options.uploadMs);
    },
    async stop() {
      stopped = true;
      abort.abort();
      await current;
    },
    runNow,
    async idle() {
      for (;;) {
        // Let a round woken by the clock reach the point where it is marked running.
        await new Promise((resolve) => setImmediate(resolve));
        const round = current;
        if (!round) return;
        await round;
      }
    },
  };
}
