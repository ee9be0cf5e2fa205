// Soak mode (`pos replay <journal> --repeat n --fault-mix …`): the journal again and again under faults drawn per
// request, then the exactly-once check: every receipt once at the server, nothing else, totals equal.
import { toMajor } from "../domain/money.js";
import { type FaultSpec, formatFaults, parseFault, parseProbability } from "../faults/fault-spec.js";
import { adminTransactionsAnswerSchema, apiPath, wireTransactionSchema } from "../lib/api.js";
import { OperationError, UsageError } from "../lib/errors.js";
import { answerOf } from "../lib/server-errors.js";
import { push } from "../sync/push.js";
import type { StepRecord } from "./report.js";
import type { Step } from "./scenario.js";
import type { ReplayContext } from "./steps.js";

export interface SoakOptions {
  /** Times the journal's sales are run. */
  repeat: number;
  /** Faults in force for the whole run, each with its probability (stacked: drawn per request). */
  mix: FaultSpec[];
}

export interface SoakResult {
  repeat: number;
  /** The fault mix in text form. */
  mix: string;
  /** Sales attempted, and those that ended with a receipt. */
  sales: number;
  completed: number;
  /** Upload rounds during and after the run, and those that failed (a failure is retried later, not an error). */
  pushRounds: number;
  pushFailures: number;
  /** Receipts the register still holds pending upload after the final rounds. */
  pending: number;
  /** Of the completed sales: held by the server (each once), missing there. */
  onServer: number;
  lost: number;
  /** Transactions of this register the server holds that no receipt of the run accounts for (a sale stored twice). */
  duplicated: number;
  /** Sums of the completed sales at the register and of the same transactions at the server, major units. */
  registerTotal: number;
  serverTotal: number;
  totalsEqual: boolean;
  /** Up to 20 ids, for the report: missing at the server, and unexplained there. */
  lostIds: string[];
  duplicatedIds: string[];
}

/** Virtual time between two sales, so an automatically offline register reaches its reconnect interval. */
const SALE_GAP_MS = 60_000;
/** Upload rounds after the faults are lifted, before what is still pending counts as lost. */
const FINAL_ROUNDS = 5;
const SHOWN_IDS = 20;

/** `reset:0.02,latency 300:0.1,lost-ack:0.01`: each fault with the chance it hits a request. */
export function parseFaultMix(text: string): FaultSpec[] {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length === 0) throw new UsageError(`--fault-mix: expected fault:probability entries, got "${text}"`);
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(":");
    if (colon <= 0) {
      throw new UsageError(`--fault-mix: "${entry}" needs a probability, e.g. "reset:0.02"`, "BadFault");
    }
    const what = `--fault-mix entry "${entry}"`;
    const probability = parseProbability(entry.slice(colon + 1), what);
    return parseFault(entry.slice(0, colon), { probability });
  });
}

/**
 * Runs the journal `repeat` times under the fault mix (a sale every virtual minute, an upload round after each
 * pass), lifts the faults, uploads what is pending, and checks exactly-once against the server. `runStep` records a
 * sale as a normal replay step would.
 */
export async function runSoak(
  ctx: ReplayContext,
  steps: readonly Step[],
  options: SoakOptions,
  runStep: (step: Step, number: number) => Promise<StepRecord>,
  record: (r: StepRecord) => void,
): Promise<SoakResult> {
  const registerId = ctx.runtime.config.registerId;
  const before = new Set((await serverTransactions(ctx)).filter((t) => t.register === registerId).map((t) => t.id));
  const result = { pushRounds: 0, pushFailures: 0 };
  const uploadRound = async () => {
    result.pushRounds++;
    try {
      await push({
        http: ctx.runtime.http,
        local: ctx.runtime.local,
        clock: ctx.clock,
        store: ctx.runtime.config.store,
      });
    } catch {
      result.pushFailures++;
    }
  };

  await ctx.world.proxy.setFault(options.mix);
  let number = 0;
  let sales = 0;
  for (let pass = 0; pass < options.repeat; pass++) {
    for (const step of steps) {
      ctx.clock.advance(SALE_GAP_MS);
      if (step.kind === "sale") sales++;
      record(await runStep(step, ++number));
    }
    await uploadRound();
  }
  await ctx.world.proxy.setFault([]);
  for (let round = 0; round < FINAL_ROUNDS && ctx.runtime.local.pendingSummary().count > 0; round++) {
    ctx.clock.advance(SALE_GAP_MS);
    if (ctx.runtime.manager.mode === "offline-auto") {
      try {
        await ctx.runtime.manager.connect();
      } catch {
        // Still unreachable: the round below fails and counts as such.
      }
    }
    await uploadRound();
  }
  return { ...(await verify(ctx, before, sales)), ...result, repeat: options.repeat, mix: formatFaults(options.mix) };
}

type Verified = Omit<SoakResult, "repeat" | "mix" | "pushRounds" | "pushFailures">;

async function verify(ctx: ReplayContext, before: ReadonlySet<string>, sales: number): Promise<Verified> {
  const registerId = ctx.runtime.config.registerId;
  const decimals = ctx.runtime.context.decimals;
  const mine = new Set(ctx.runIds);
  const held = new Map<string, number>();
  const listed = await serverTransactions(ctx);
  for (const t of listed) if (t.register === registerId) held.set(t.id, t.total);
  if (listed.length >= LIST_LIMIT) {
    // A long-lived --server may hold more than one page: look each receipt up instead.
    for (const id of mine) {
      if (held.has(id)) continue;
      const r = await ctx.admin.get(apiPath.adminTransaction(id), wireTransactionSchema);
      if (r.ok) held.set(id, r.body.total);
      else if (r.status !== 404) throw new OperationError(`server answered ${r.status} for transaction ${id}`);
    }
  }
  const lostIds = ctx.runIds.filter((id) => !held.has(id));
  const duplicatedIds = [...held.keys()].filter((id) => !mine.has(id) && !before.has(id));
  const minor = (major: number) => Math.round(major * 10 ** decimals);
  const serverMinor = ctx.runIds.reduce((sum, id) => sum + (held.has(id) ? minor(held.get(id) ?? 0) : 0), 0);
  return {
    sales,
    completed: ctx.runIds.length,
    pending: ctx.runtime.local.pendingSummary().count,
    onServer: ctx.runIds.length - lostIds.length,
    lost: lostIds.length,
    duplicated: duplicatedIds.length,
    registerTotal: toMajor(ctx.runTotalMinor, decimals),
    serverTotal: toMajor(serverMinor, decimals),
    totalsEqual: serverMinor === ctx.runTotalMinor,
    lostIds: lostIds.slice(0, SHOWN_IDS),
    duplicatedIds: duplicatedIds.slice(0, SHOWN_IDS),
  };
}

const LIST_LIMIT = 10_000;

async function serverTransactions(ctx: ReplayContext): Promise<Array<{ id: string; register: string; total: number }>> {
  const path = apiPath.adminTransactions(ctx.runtime.config.store, LIST_LIMIT);
  return (await answerOf(() => ctx.admin.get(path, adminTransactionsAnswerSchema), "soak check")).transactions;
}

/** The exactly-once check as one report line and JUnit case. */
export function verdictRecord(soak: SoakResult, number: number, mode: StepRecord["mode"]): StepRecord {
  const expected = { lost: 0, duplicated: 0, totalsEqual: true };
  const actual = { lost: soak.lost, duplicated: soak.duplicated, totalsEqual: soak.totalsEqual };
  const failed = (Object.keys(expected) as Array<keyof typeof expected>).filter((k) => expected[k] !== actual[k]);
  const detail = [
    ...(soak.lost > 0 ? [`lost ${soak.lostIds.join(", ")}${soak.lost > soak.lostIds.length ? ", …" : ""}`] : []),
    ...(soak.duplicated > 0 ? [`not accounted for ${soak.duplicatedIds.join(", ")}`] : []),
    ...(soak.totalsEqual ? [] : [`register total ${soak.registerTotal}, server ${soak.serverTotal}`]),
  ];
  return {
    step: number,
    kind: "expect",
    label: "exactly once: every receipt once at the server, totals equal",
    mode,
    total: null,
    elapsedMs: 0,
    result: failed.length > 0 ? "fail" : "pass",
    expected,
    actual,
    message: failed.length > 0 ? detail.join("; ") || failed.join(", ") : null,
    switches: [],
    testCase: true,
  };
}

/** `soak: 2000 sales (100 × 20), seed 42, mix …; server holds 2000 of 2000 receipts: 0 lost, 0 duplicated; totals …`. */
export function formatSoak(soak: SoakResult, seed: number, faults: Record<string, number>): string {
  const injected = Object.entries(faults)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  return [
    `soak: ${soak.sales} sales (${soak.repeat} × ${soak.sales / soak.repeat}), seed ${seed}, fault mix ${soak.mix}`,
    `  faults injected: ${injected || "none"}; upload rounds ${soak.pushRounds} (${soak.pushFailures} failed)`,
    `  ${soak.completed} receipts, server holds ${soak.onServer} of them once: ${soak.lost} lost, ${soak.duplicated} duplicated, ${soak.pending} still pending`,
    `  totals: register ${soak.registerTotal.toFixed(2)}, server ${soak.serverTotal.toFixed(2)} (${soak.totalsEqual ? "equal" : "DIFFERENT"})`,
  ].join("\n");
}
