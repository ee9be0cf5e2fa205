// Background sync while a register runs: pull every downloadInterval, push every uploadInterval, one round at a time.
import { existsSync, statSync } from "node:fs";
import { apiPath, type OfflineStatusBody } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import type { HttpClient } from "../lib/http.js";
import type { OfflineStore } from "../offline/offline-store.js";
import type { ConnectionState } from "../register/connection-state.js";
import { lastSyncLog } from "./sync-log.js";

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

/** The body of POST /v1/registers/:id/offline-status, from the register's own records. */
export function offlineStatusReport(
  state: ConnectionState,
  local: OfflineStore,
  db: Db,
  dbFile: string,
): OfflineStatusBody {
  const pending = local.pendingSummary();
  const entry = (kind: "download" | "upload") => {
    const log = lastSyncLog(db, kind);
    return log
      ? { at: log.finishedAt ?? log.startedAt, result: log.result, message: log.message?.slice(0, 500) ?? null }
      : null;
  };
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return {
    mode: state.mode === "online" ? "online" : "offline",
    manual: state.mode === "offline-manual",
    since: new Date(state.since).toISOString(),
    lastDownload: entry("download"),
    lastUpload: entry("upload"),
    pendingCount: pending.count,
    oldestPendingAt: pending.oldest,
    dbSizeBytes: size(dbFile) + size(`${dbFile}-wal`),
  };
}

export async function reportOfflineStatus(
  http: HttpClient,
  registerId: string,
  body: OfflineStatusBody,
): Promise<void> {
  // A short timeout: the report must never hold up the round it follows.
  await http.post(apiPath.offlineStatus(registerId), body, { timeoutMs: 2000 });
}
