// `pos sync push`: upload pending offline transactions and customers in batches; mark each done only once the server confirms.
import { ROUTES, uploadAnswerSchema } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import { OperationError } from "../lib/errors.js";
import type { HttpClient } from "../lib/http.js";
import { callServer, toCliError } from "../lib/server-errors.js";
import type { OfflineStore } from "../offline/offline-store.js";
import { uploadAsyncCustomers } from "./async-customers.js";
import { finishSyncLog, startSyncLog } from "./sync-log.js";

export interface PushOptions {
  http: HttpClient;
  local: OfflineStore;
  clock: Clock;
  store: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PushResult {
  uploaded: number;
  duplicates: number;
  /** Same id, different content at the server (409): kept locally, shown, never resent as new. */
  conflicts: Array<{ id: string; message: string }>;
  customers: number;
  purged: number;
  pendingBefore: number;
  pendingAfter: number;
}

const DAY_MS = 86_400_000;

export async function push(options: PushOptions): Promise<PushResult> {
  const { http, local, clock } = options;
  const batchSize = options.batchSize ?? 1000;
  const iso = () => new Date(clock.now()).toISOString();
  const logId = startSyncLog(local.db, "upload", iso());
  const pendingBefore = local.pendingSummary().count;
  const result: PushResult = {
    uploaded: 0,
    duplicates: 0,
    conflicts: [],
    customers: 0,
    purged: 0,
    pendingBefore,
    pendingAfter: 0,
  };
  try {
    // Customers first: HQ keeps them as async customers until its job creates them (then 1010 brings them back).
    result.customers = await uploadAsyncCustomers(http, local.db);
    let done = 0;
    for (;;) {
      const batch = local.pending(batchSize);
      if (batch.length === 0) break;
      const transactions = batch.map((row) => JSON.parse(row.body) as unknown);
      const answer = await callServer(
        () => http.post(ROUTES.transactionsUpload, { transactions }, uploadAnswerSchema),
        "pending transactions stay queued; push again when the server answers",
      );
      if (!answer.ok) throw toCliError(answer, "upload transactions");
      const marks = answer.body.results.map((r) => {
        if (r.status === "stored" || r.status === "duplicate") {
          if (r.status === "stored") result.uploaded++;
          else result.duplicates++;
          return { id: r.id, status: "uploaded" as const };
        }
        const message =
          `${r.status === "conflict" ? "409 TransactionConflict" : "rejected"}: ${r.message ?? ""}`.trim();
        result.conflicts.push({ id: r.id, message });
        return { id: r.id, status: "conflict" as const, message };
      });
      local.markUploaded(marks, iso());
      done += batch.length;
      options.onProgress?.(done, pendingBefore);
      // Every row of the batch must have an answer: one left pending would be sent again forever.
      const answered = new Set(marks.map((m) => m.id));
      const unanswered = batch.filter((row) => !answered.has(row.id));
      if (unanswered.length > 0) {
        throw new OperationError(
          `the server gave no result for ${unanswered.length} transaction(s) (first ${unanswered[0]?.id}); they stay pending`,
          "SyncFailed",
        );
      }
    }
    const days = local.store(options.store)?.days_transactions_exist ?? 30;
    result.purged = local.purgeUploaded(new Date(clock.now() - days * DAY_MS).toISOString());
    result.pendingAfter = local.pendingSummary().count;
    const message = result.conflicts.length
      ? `${result.conflicts.length} conflict(s): ${result.conflicts[0]?.id} …`
      : null;
    finishSyncLog(local.db, logId, result.conflicts.length ? "failed" : done > 0 ? "ok" : "nothing", iso(), message, {
      transactions: result.uploaded + result.duplicates,
    });
    return result;
  } catch (error) {
    finishSyncLog(local.db, logId, "failed", iso(), (error as Error).message, {
      transactions: result.uploaded + result.duplicates,
    });
    throw error;
  }
}
