// The register's own data at the retail server: its journal, a sale to return, and carts suspended at the store.
import { z } from "zod";
import { wireTransactionSchema } from "../domain/transaction.js";

const enc = encodeURIComponent;

export const OWN_DATA_ROUTES = {
  journal: "/v1/registers/:id/journal",
  /** The sale to return and its returns so far (outside /v1/transactions, so a fault on checkouts spares it). */
  transaction: "/v1/returns/:id",
  carts: "/v1/suspended-carts",
  recall: "/v1/suspended-carts/:id/recall",
} as const;

export const ownDataPath = {
  journal: (register: string, limit: number) => `/v1/registers/${enc(register)}/journal?limit=${limit}`,
  transaction: (id: string) => `/v1/returns/${enc(id)}`,
  recall: (id: string) => `/v1/suspended-carts/${enc(id)}/recall`,
};

/** Error codes of these routes (besides NotFound, ValidationFailed). */
export const CART_ALREADY_RECALLED = "CartAlreadyRecalled";

export const journalEntrySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  mode: z.string(),
  /** Where it stands: stored (the server has it), or the offline database's status (pending, in-doubt, online…). */
  status: z.string(),
  /** Major units; negative for a return. */
  total: z.number(),
  lines: z.number().int(),
  returnOf: z.string().nullable(),
  /** Returns recorded against this sale. */
  returns: z.number().int(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
export const journalAnswerSchema = z.object({ register: z.string(), transactions: z.array(journalEntrySchema) });
export type JournalAnswer = z.infer<typeof journalAnswerSchema>;

export const returnSourceAnswerSchema = z.object({
  transaction: wireTransactionSchema,
  returns: z.array(wireTransactionSchema),
});
export type ReturnSourceAnswer = z.infer<typeof returnSourceAnswerSchema>;

/** A cart line as suspended: minor units, the price it was rung at (a recalled cart keeps its prices). */
const cartLineSchema = z.strictObject({
  line: z.number().int().positive(),
  item: z.string().min(1),
  name: z.string(),
  qty: z.number().int().positive(),
  unitPrice: z.number().int().nonnegative(),
  discountPct: z.number().min(0).max(100),
  taxGroup: z.string().min(1),
  taxRatePpm: z.number().int().nonnegative(),
  voided: z.boolean(),
  amount: z.number().int(),
  tax: z.number().int(),
});

export const suspendedCartSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9]+-[A-Za-z0-9]+-S\d{4,}$/, "expected <register>-S<number>, e.g. SEA01-R1-S0001"),
  register: z.string().min(1),
  staff: z.string().min(1),
  suspendedAt: z.string().min(1),
  customer: z.strictObject({ id: z.string().min(1), name: z.string(), accountAllowed: z.boolean() }).nullable(),
  lines: z.array(cartLineSchema).min(1).max(1000),
});
export type SuspendedCart = z.infer<typeof suspendedCartSchema>;

export const suspendBodySchema = z.strictObject({ cart: suspendedCartSchema });
export const suspendAnswerSchema = z.object({ id: z.string(), status: z.enum(["suspended", "duplicate"]) });

export const suspendedCartSummarySchema = z.object({
  id: z.string(),
  register: z.string(),
  staff: z.string(),
  suspendedAt: z.string(),
  lines: z.number().int(),
  /** Minor units of the store's currency. */
  totalMinor: z.number().int(),
  /** server: kept at the store's server; register: suspended offline, only this register can recall it. */
  kept: z.enum(["server", "register"]),
});
export type SuspendedCartSummary = z.infer<typeof suspendedCartSummarySchema>;
export const suspendedCartsAnswerSchema = z.object({ carts: z.array(suspendedCartSummarySchema) });
export const recallAnswerSchema = z.object({ cart: suspendedCartSchema });

/** A cart's list entry: lines not voided and their total with tax (minor units). */
export function summarizeCart(cart: SuspendedCart, kept: SuspendedCartSummary["kept"]): SuspendedCartSummary {
  const live = cart.lines.filter((l) => !l.voided);
  return {
    id: cart.id,
    register: cart.register,
    staff: cart.staff,
    suspendedAt: cart.suspendedAt,
    lines: live.length,
    totalMinor: live.reduce((sum, l) => sum + l.amount + l.tax, 0),
    kept,
  };
}
