// Replay steps for the register's own data (D365 "offline: own register's data"): return, suspend, recall, journal.
import { z } from "zod";
import { toMajor } from "../domain/money.js";
import { OperationError } from "../lib/errors.js";
import type { Receipt } from "../register/sale-session.js";
import { lineSchema, tenderSchema } from "./scenario.js";
import type { ReplayContext, StepOutcome } from "./steps.js";

const WHOLE_POSITIVE = "expected a whole number > 0";
const positive = z.number({ error: WHOLE_POSITIVE }).int({ error: WHOLE_POSITIVE }).min(1, { error: WHOLE_POSITIVE });
const count = z.number({ error: "expected a whole number ≥ 0" }).int().min(0, { error: "expected a whole number ≥ 0" });
const text = (what: string) => z.string({ error: `expected ${what} (text)` }).min(1, { error: `expected ${what}` });

/** What these steps report; a return's total is negative (a refund). */
export const ownDataExpectSchema = z.strictObject({
  mode: z
    .enum(["online", "offline", "offline-auto", "offline-manual"], {
      error: "expected online, offline, offline-auto or offline-manual",
    })
    .optional(),
  total: z.number({ error: "expected an amount in major units, e.g. -11.02" }).optional(),
  status: z.enum(["stored", "pending", "duplicate"], { error: "expected stored, pending or duplicate" }).optional(),
  error: text("an error code, e.g. ReturnNotAvailableOffline").optional(),
  transaction: text("a transaction id").optional(),
  lines: count.optional(),
  /** suspend: the cart id given; recall: the cart recalled. */
  cart: text("a cart id, e.g. SEA01-R1-S0001").optional(),
  /** suspend: where the cart is kept (server online; register when suspended offline). */
  kept: z.enum(["server", "register"], { error: "expected server or register" }).optional(),
  /** journal: how many transactions it shows, where it was read, and the newest one's id. */
  transactions: count.optional(),
  source: z.enum(["server", "offline database"], { error: 'expected server or "offline database"' }).optional(),
  newest: text("a transaction id").optional(),
});
export type OwnDataExpect = z.infer<typeof ownDataExpectSchema>;

export const returnStepSchema = z.strictObject({
  /** The sale to return. */
  of: text("a transaction id, e.g. SEA01-R1-000001"),
  /** Lines of the original and how many (default: all that is left to return). */
  lines: z
    .array(z.strictObject({ line: positive, qty: positive.optional() }), { error: "expected [{line, qty}]" })
    .optional(),
  pay: z.array(tenderSchema, { error: "expected a list of tenders, e.g. [{tender: cash}]" }).min(1, {
    error: "a return is refunded with at least one tender",
  }),
  expect: ownDataExpectSchema.optional(),
});
export const suspendStepSchema = z.strictObject({
  lines: z.array(lineSchema, { error: "expected a list of lines" }).min(1, { error: "a cart needs at least one line" }),
  customer: z.union([z.string().min(1), z.number().int()], { error: "expected a customer id" }).optional(),
  expect: ownDataExpectSchema.optional(),
});
export const recallStepSchema = z.strictObject({
  cart: text("a cart id, e.g. SEA01-R1-S0001"),
  pay: z.array(tenderSchema, { error: "expected a list of tenders, e.g. [{tender: card}]" }).min(1, {
    error: "a recalled cart is paid with at least one tender",
  }),
  expect: ownDataExpectSchema.optional(),
});
export const journalStepSchema = z.strictObject({
  limit: positive.max(1000, { error: "expected at most 1000" }).optional(),
  expect: ownDataExpectSchema.optional(),
});

export type ReturnStep = z.infer<typeof returnStepSchema>;
export type SuspendStep = z.infer<typeof suspendStepSchema>;
export type RecallStep = z.infer<typeof recallStepSchema>;
export type JournalStep = z.infer<typeof journalStepSchema>;

export type OwnDataStep =
  | { kind: "return"; return: ReturnStep }
  | { kind: "suspend"; suspend: SuspendStep }
  | { kind: "recall"; recall: RecallStep }
  | { kind: "journal"; journal: JournalStep };

export function ownDataLabel(step: OwnDataStep): string {
  switch (step.kind) {
    case "return":
      return `return ${step.return.of}`;
    case "suspend":
      return `suspend (${step.suspend.lines.length} line${step.suspend.lines.length === 1 ? "" : "s"})`;
    case "recall":
      return `recall ${step.recall.cart}`;
    case "journal":
      return "journal";
  }
}

export function ownDataExpectation(step: OwnDataStep): OwnDataExpect | undefined {
  return step.kind === "return"
    ? step.return.expect
    : step.kind === "suspend"
      ? step.suspend.expect
      : step.kind === "recall"
        ? step.recall.expect
        : step.journal.expect;
}

export async function runOwnDataStep(ctx: ReplayContext, step: OwnDataStep): Promise<StepOutcome> {
  const { session } = ctx;
  switch (step.kind) {
    case "return":
      return completing(ctx, async () => {
        const picks = step.return.lines?.map((l) =>
          l.qty === undefined ? { line: l.line } : { line: l.line, qty: l.qty },
        );
        await session.startReturn(step.return.of, picks);
        return pay(ctx, step.return.pay);
      });
    case "recall":
      return completing(ctx, async () => {
        await session.recall(step.recall.cart);
        return pay(ctx, step.recall.pay);
      });
    case "suspend":
      return attemptOrCancel(ctx, async () => {
        for (const line of step.suspend.lines) {
          const code = line.item !== undefined ? String(line.item) : String(line.barcode);
          const qty = line.qty ?? 1;
          const added = await session.addItem(qty === 1 ? code : `${qty} x ${code}`);
          if (line.discount) session.discount(added.line, line.discount);
          if (line.void) session.voidLine(added.line);
        }
        if (step.suspend.customer !== undefined) await session.setCustomer(String(step.suspend.customer));
        const kept = await session.suspend();
        return { actual: { cart: kept.id, kept: kept.kept, lines: kept.lines }, total: null };
      });
    case "journal":
      return attemptOrCancel(ctx, async () => {
        const view = await session.journal(step.journal.limit ?? 20);
        return {
          actual: {
            transactions: view.transactions.length,
            source: view.source,
            ...(view.transactions[0] ? { newest: view.transactions[0].id } : {}),
          },
          total: null,
        };
      });
  }
}

async function pay(ctx: ReplayContext, tenders: ReturnStep["pay"]): Promise<Receipt> {
  let receipt: Receipt | null = null;
  for (const [index, tender] of tenders.entries()) {
    if (receipt) throw new OperationError(`it was fully paid before tender ${index + 1}`, "AlreadyPaid");
    receipt = await ctx.session.pay(tender.tender, tender.amount);
  }
  if (!receipt) {
    const left = toMajor(ctx.session.remaining(), ctx.runtime.context.decimals);
    throw new OperationError(`the tenders leave ${left} to pay`, "NotFullyPaid");
  }
  return receipt;
}

/** A step that ends in a receipt (return, recalled cart): counted with the run's sales, like a sale step. */
async function completing(ctx: ReplayContext, work: () => Promise<Receipt>): Promise<StepOutcome> {
  return attemptOrCancel(ctx, async () => {
    const done = await work();
    ctx.runIds.push(done.wire.id);
    ctx.runTotalMinor += done.transaction.total;
    return {
      actual: {
        total: done.wire.total,
        status: done.status,
        lines: done.wire.lines.length,
        transaction: done.wire.id,
      },
      total: done.wire.total,
      receipt: done,
    };
  });
}

/** An error becomes `{error, message}` for the expectation; a cart left half-done is dropped, as a cashier would. */
async function attemptOrCancel(ctx: ReplayContext, work: () => Promise<StepOutcome>): Promise<StepOutcome> {
  try {
    return await work();
  } catch (error) {
    ctx.session.cancel();
    const code = (error as { code?: unknown })?.code;
    return {
      actual: {
        error: typeof code === "string" && /^[A-Z]/.test(code) ? code : ((error as Error)?.name ?? "Error"),
        message: (error as Error)?.message ?? String(error),
      },
      total: null,
    };
  }
}
