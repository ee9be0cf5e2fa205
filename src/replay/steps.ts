// Executes one scenario step against the register (sale, fault, wait, operation, sign-in, expectation) and says what happened.
import { join } from "node:path";
import { toMajor } from "../domain/money.js";
import { formatFaults } from "../faults/fault-spec.js";
import {
  adminTransactionsAnswerSchema,
  apiPath,
  conflictsAnswerSchema,
  priceAnswerSchema,
  ROUTES,
  wireTransactionSchema,
} from "../lib/api.js";
import { ASYNC_CUSTOMER_ROUTES, asyncCustomerSyncAnswerSchema } from "../lib/api-customers.js";
import { runAnswerSchema, SYNC_ROUTES } from "../lib/api-sync.js";
import type { VirtualClock } from "../lib/clock.js";
import { OperationError } from "../lib/errors.js";
import type { AnswerSchema, HttpClient } from "../lib/http.js";
import { answerOf } from "../lib/server-errors.js";
import type { RegisterRuntime } from "../register/runtime.js";
import type { Receipt, SaleSession } from "../register/sale-session.js";
import { pendingCustomerCount, transactionCustomer } from "../sync/async-customers.js";
import type { SyncLoop } from "../sync/loop.js";
import { pull } from "../sync/pull.js";
import { push } from "../sync/push.js";
import { runOwnDataStep } from "./own-data-steps.js";
import {
  type CdxRunOp,
  cdxRunOf,
  type HqChange,
  type ReplayOp,
  type SaleStep,
  type ScheduledFault,
  type StateExpect,
  type Step,
  type SyncResult,
} from "./scenario.js";
import type { ReplayWorld } from "./world.js";

export interface ReplayContext {
  clock: VirtualClock;
  world: ReplayWorld;
  runtime: RegisterRuntime;
  session: SaleSession;
  /** Admin calls to the server itself (not through the proxy): what the server really holds. */
  admin: HttpClient;
  /** Transaction ids this run completed, in order. */
  runIds: string[];
  runTotalMinor: number;
  lastSync: SyncResult | null;
  /** When the last (virtual) health check ran; advanced offline switching checks only while time passes. */
  lastHealthCheck: number;
  /** The register's background sync (scenario `backgroundSync: true`), or null. */
  syncLoop: SyncLoop | null;
}

export interface StepOutcome {
  /** What happened, in the vocabulary of the step's `expect` (mode, total, status, error…). */
  actual: Record<string, unknown>;
  total: number | null;
  receipt?: Receipt;
  /** Measured values the report carries without judging them (a download's bytes and wall time). */
  figures?: Record<string, number>;
}

export async function executeStep(ctx: ReplayContext, step: Step): Promise<StepOutcome> {
  switch (step.kind) {
    case "sale":
      return runSale(ctx, step.sale);
    case "fault":
      await ctx.world.proxy.setFault(step.faults);
      return { actual: { fault: formatFaults(step.faults) }, total: null };
    case "wait":
      await wait(ctx, step.ms);
      return { actual: {}, total: null };
    case "op": {
      const figures: Record<string, number> = {};
      const actual = await attempt(() => runOp(ctx, step.op, figures));
      return { actual, total: null, ...(Object.keys(figures).length > 0 ? { figures } : {}) };
    }
    case "signin":
      return {
        actual: await attempt(async () => ({
          staff: (
            await ctx.session.signIn(step.staff.id, step.staff.password, { offline: step.staff.offline ?? false })
          ).id,
        })),
        total: null,
      };
    case "expect":
      return { actual: await observe(ctx, step.expect), total: null };
    case "hq":
      return { actual: await attempt(() => changeAtHq(ctx, step.hq)), total: null };
    case "return":
    case "suspend":
    case "recall":
    case "journal":
      return runOwnDataStep(ctx, step);
  }
}

/** A master-data edit at HQ, past the fault proxy (it is the head office's doing, not the register's). */
async function changeAtHq(ctx: ReplayContext, change: HqChange): Promise<Record<string, unknown>> {
  if (!change.price) {
    const answer = await answerOf(
      () => ctx.admin.post(ASYNC_CUSTOMER_ROUTES.sync, {}, asyncCustomerSyncAnswerSchema),
      "HQ's async customer job",
    );
    return { created: answer.created.length };
  }
  const { item, amount } = change.price;
  const store = change.price.store ?? ctx.runtime.config.store;
  await answerOf(
    () => ctx.admin.request("PUT", apiPath.adminPrice(store, item), priceAnswerSchema, { amount }),
    `HQ price of ${item}`,
  );
  return {};
}

/** Line by line as a cashier would: scheduled faults first, then the lookup, discount and void; then tenders. */
async function runSale(ctx: ReplayContext, sale: SaleStep): Promise<StepOutcome> {
  const { session } = ctx;
  let receipt: Receipt | null = null;
  let pendingSync: boolean | undefined;
  const outcome = await attempt(async () => {
    for (const [index, line] of sale.lines.entries()) {
      await applyScheduled(ctx, sale.faults, index + 1);
      const added = await session.addItem(line.qty === 1 ? line.code : `${line.qty} x ${line.code}`);
      if (line.discount) session.discount(added.line, line.discount);
      if (line.void) session.voidLine(added.line);
    }
    if (sale.customer !== undefined) await session.setCustomer(sale.customer);
    if (sale.newCustomer !== undefined) pendingSync = (await session.newCustomer(sale.newCustomer)).pendingSync;
    await applyScheduled(ctx, sale.faults, "checkout");
    for (const [index, tender] of sale.pay.entries()) {
      if (receipt) throw new OperationError(`the sale was fully paid before tender ${index + 1}`, "AlreadyPaid");
      receipt = await session.pay(tender.tender, tender.amount);
    }
    if (!receipt) {
      const left = toMajor(session.remaining(), ctx.runtime.context.decimals);
      throw new OperationError(`the tenders leave ${left} to pay`, "NotFullyPaid");
    }
    return {};
  });
  if (!receipt) {
    // A sale that stopped leaves nothing behind for the next one (the cart is cancelled, as a cashier would).
    session.cancel();
    return { actual: outcome, total: null };
  }
  const done: Receipt = receipt;
  const decimals = done.transaction.decimals;
  ctx.runIds.push(done.wire.id);
  ctx.runTotalMinor += done.transaction.total;
  return {
    actual: {
      total: done.wire.total,
      status: done.status,
      lines: done.wire.lines.length,
      change: toMajor(done.change, decimals),
      transaction: done.wire.id,
      customer: done.wire.customer,
      ...(pendingSync === undefined ? {} : { pendingSync }),
    },
    total: done.wire.total,
    receipt: done,
  };
}

async function applyScheduled(ctx: ReplayContext, faults: readonly ScheduledFault[], before: number | "checkout") {
  for (const scheduled of faults) if (scheduled.before === before) await ctx.world.proxy.setFault(scheduled.fault);
}

/**
 * Moves virtual time on; nothing sleeps. With advanced offline switching, the background health check the interval
 * would have run is done once at the end of the wait (faults cannot change during a wait, so one check says it all).
 */
async function wait(ctx: ReplayContext, ms: number): Promise<void> {
  ctx.clock.advance(ms);
  // What the time that passed set off (scheduled distribution at the server, the register's sync rounds) finishes
  // within the wait, so the next step sees its result whatever the machine's speed.
  await ctx.world.settle();
  await ctx.syncLoop?.idle();
  const { profile, manager } = ctx.runtime;
  const interval = profile.healthCheckInterval * 60_000;
  if (!profile.advancedOfflineSwitching || ctx.clock.now() - ctx.lastHealthCheck < interval) return;
  ctx.lastHealthCheck = ctx.clock.now();
  await manager.healthCheck();
}

async function runOp(
  ctx: ReplayContext,
  op: ReplayOp,
  figures: Record<string, number>,
): Promise<Record<string, unknown>> {
  const { runtime } = ctx;
  const { manager } = runtime;
  switch (op) {
    case "917":
      await manager.operation917();
      return {};
    case "disconnect":
      manager.disconnect();
      return {};
    case "connect":
      await manager.connect();
      return {};
    case "sync pull":
      return syncRound(ctx, async () => {
        let started = 0;
        const database = runtime.config.database;
        if (!database)
          throw new OperationError("this register has no offline database to pull into", "NoOfflineDatabase");
        const result = await pull({
          http: runtime.http,
          db: runtime.db,
          clock: ctx.clock,
          database,
          workDir: join(ctx.world.paths.registerDir(runtime.config.registerId), "downloads"),
          // Wall time of the downloads alone (the link), apart from applying: the figure a slow-WAN run is judged by.
          onProgress: (event) => {
            if (event.kind === "session") started = performance.now();
            if (event.kind === "downloaded") {
              figures.downloadMs = (figures.downloadMs ?? 0) + (performance.now() - started);
              figures.downloadBytes = (figures.downloadBytes ?? 0) + event.bytes;
            }
          },
        });
        const verdict: SyncResult = result.failed > 0 ? "failed" : result.applied > 0 ? "ok" : "nothing";
        return {
          result: verdict,
          applied: result.applied,
          rows: result.rows,
          bytes: result.bytes,
          resumed: result.resumed,
        };
      });
    case "sync push":
      return syncRound(ctx, async () => {
        const result = await push({
          http: runtime.http,
          local: runtime.local,
          clock: ctx.clock,
          store: runtime.config.store,
        });
        const sent = result.uploaded + result.duplicates;
        const verdict: SyncResult = result.conflicts.length > 0 ? "failed" : sent > 0 ? "ok" : "nothing";
        return { result: verdict, uploaded: sent, duplicates: result.duplicates, conflicts: result.conflicts.length };
      });
    default:
      return runCdx(ctx, op);
  }
}

/** HQ runs a distribution job for this register's offline database, past the faults (an HQ operator's action). */
async function runCdx(ctx: ReplayContext, op: CdxRunOp): Promise<Record<string, unknown>> {
  const database = ctx.runtime.config.database;
  if (!database)
    throw new OperationError("this register has no offline database to distribute to", "NoOfflineDatabase");
  const { job, full } = cdxRunOf(op);
  const answer = await answerOf(
    () => ctx.admin.post(SYNC_ROUTES.admin.run, { job, full, database }, runAnswerSchema, { timeoutMs: 600_000 }),
    op,
  );
  return { sessions: answer.sessions.length, bytes: answer.sessions.reduce((sum, s) => sum + (s.size ?? 0), 0) };
}

async function syncRound(
  ctx: ReplayContext,
  round: () => Promise<Record<string, unknown> & { result: SyncResult }>,
): Promise<Record<string, unknown>> {
  try {
    const answer = await round();
    ctx.lastSync = answer.result;
    return answer;
  } catch (error) {
    ctx.lastSync = "failed";
    throw error;
  }
}

/** What an expectation step looks at; the server is asked only for what the step names. */
async function observe(ctx: ReplayContext, expect: StateExpect): Promise<Record<string, unknown>> {
  const decimals = ctx.runtime.context.decimals;
  const actual: Record<string, unknown> = {
    pendingUpload: ctx.runtime.local.pendingSummary().count,
    sales: ctx.runIds.length,
    total: toMajor(ctx.runTotalMinor, decimals),
    lastSync: ctx.lastSync,
    faultsInjected: Object.values(ctx.world.proxy.stats().faulted).reduce((sum, n) => sum + n, 0),
  };
  if (expect.pendingCustomers !== undefined) actual.pendingCustomers = pendingCustomerCount(ctx.runtime.db);
  const last = ctx.runIds.at(-1);
  if (expect.lastSaleCustomer !== undefined && last !== undefined)
    actual.lastSaleCustomer = transactionCustomer(ctx.runtime.db, last);
  if (expect.serverHas !== undefined) actual.serverHas = await serverHas(ctx);
  if (expect.conflicts !== undefined) actual.conflicts = await serverConflicts(ctx);
  return actual;
}

/** How many of this run's transactions the server holds (its ids are unique, so each at most once). */
async function serverHas(ctx: ReplayContext): Promise<number> {
  const store = ctx.runtime.config.store;
  const mine = new Set(ctx.runIds);
  const list = await adminGet(ctx, apiPath.adminTransactions(store, 10_000), adminTransactionsAnswerSchema);
  if (list.count <= list.transactions.length) return list.transactions.filter((t) => mine.has(t.id)).length;
  // A long-lived --server holds more than one page: ask for each of ours instead.
  let found = 0;
  for (const id of mine) {
    const r = await ctx.admin.get(apiPath.adminTransaction(id), wireTransactionSchema);
    if (r.status === 200) found++;
    else if (r.status !== 404) throw new OperationError(`server answered ${r.status} for transaction ${id}`);
  }
  return found;
}

async function serverConflicts(ctx: ReplayContext): Promise<number> {
  const mine = new Set(ctx.runIds);
  const answer = await adminGet(ctx, ROUTES.admin.conflicts, conflictsAnswerSchema);
  return answer.conflicts.filter((c) => mine.has(c.transactionId)).length;
}

function adminGet<T>(ctx: ReplayContext, path: string, schema: AnswerSchema<T>): Promise<T> {
  return answerOf(() => ctx.admin.get(path, schema), "replay check");
}

/** Runs an action; an error becomes `{error: code, message}` for the expectation to judge instead of ending the run. */
async function attempt(action: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  try {
    return await action();
  } catch (error) {
    return { error: errorCode(error), message: (error as Error)?.message ?? String(error) };
  }
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && /^[A-Z]/.test(code)) return code;
  return (error as Error)?.name ?? "Error";
}
