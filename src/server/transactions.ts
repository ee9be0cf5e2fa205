// Receiving transactions into a channel database exactly once: validate, check totals, store or detect duplicates.
import { createHash } from "node:crypto";
import { parseTransactionId } from "../domain/ids.js";
import { returnedQuantities, returnProblem } from "../domain/returns.js";
import {
  checkTotals,
  fromWire,
  type Transaction,
  type WireTransaction,
  wireTransactionSchema,
} from "../domain/transaction.js";
import { ERROR_CODES, type UploadResult } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../lib/db.js";
import { describeIssue } from "./api-error.js";
import type { Device } from "./devices.js";
import { isoTime } from "./statements.js";
import { channelReferences, type SaleReferences, saleProblem } from "./transaction-rules.js";

/** A transaction that passed every check and can be stored. */
export interface CheckedTransaction {
  wire: WireTransaction;
  totalMinor: number;
  hash: string;
}

export type CheckOutcome =
  | { ok: true; transaction: CheckedTransaction }
  | { ok: false; id: string; statusCode: number; code: string; message: string };

export type StoreOutcome =
  | { id: string; status: "stored" | "duplicate"; receivedAt: string }
  | { id: string; status: "conflict"; receivedAt: string; message: string };

/** JSON with object keys sorted at every level, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of the sale's content. `mode` is left out on purpose: a checkout whose online answer was lost is
 * stored offline and uploaded later, and that copy must count as the same sale, not as a conflict.
 */
export function contentHash(wire: WireTransaction): string {
  const { mode: _mode, ...content } = wire;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}

export interface StoreCurrency {
  currency: string;
  decimals: number;
}

/** What a transaction is checked against: the store's currency, its data, and what is stored already. */
export interface SaleTarget extends StoreCurrency {
  refs: SaleReferences;
  /** The content hash stored under this id, if any. */
  storedHash(id: string): string | undefined;
}

export function saleTarget(
  channel: Db,
  store: string,
  currency: StoreCurrency,
  hqCustomers?: ReadonlyMap<string, { accountAllowed: boolean }>,
): SaleTarget {
  const find = preparedPluck(channel, "SELECT content_hash FROM transactions WHERE id = ?");
  return {
    ...currency,
    refs: channelReferences(channel, store, hqCustomers),
    storedHash: (id) => find.get(id) as string | undefined,
  };
}

/**
 * Validates one incoming transaction for the device's register and store; never throws for bad input.
 * Order matters: after the shape and the device's ownership, a copy identical to the stored one is accepted as it
 * is (the idempotent resend), before any check against today's data — an item deactivated or a staff id moved
 * since must never turn the resend of a stored sale into a refusal the register would keep retrying.
 */
export function checkTransaction(
  raw: unknown,
  device: Device,
  target: SaleTarget,
  earlier: readonly CheckedTransaction[] = [],
): CheckOutcome {
  const rawId =
    raw && typeof raw === "object" && typeof (raw as { id?: unknown }).id === "string"
      ? (raw as { id: string }).id
      : "";
  const reject = (statusCode: number, code: string, message: string): CheckOutcome => ({
    ok: false,
    id: rawId,
    statusCode,
    code,
    message,
  });
  const parsed = wireTransactionSchema.safeParse(raw);
  if (!parsed.success) return reject(400, ERROR_CODES.validationFailed, describeIssue(parsed.error, "transaction"));
  const wire = parsed.data;
  if (wire.register !== device.register) {
    return reject(
      403,
      ERROR_CODES.forbidden,
      `transaction ${wire.id} belongs to register ${wire.register}, not ${device.register}`,
    );
  }
  if (wire.store !== device.store) {
    return reject(
      400,
      ERROR_CODES.validationFailed,
      `transaction.store: ${wire.store} is not the register's store ${device.store}`,
    );
  }
  const idParts = parseTransactionId(wire.id);
  if (!idParts || idParts.registerId !== wire.register || idParts.store !== wire.store) {
    return reject(
      400,
      ERROR_CODES.validationFailed,
      `transaction.id: ${wire.id} is not <register>-<sequence> of register ${wire.register}`,
    );
  }
  const hash = contentHash(wire);
  const stored = target.storedHash(wire.id);
  if (stored === hash) {
    // Only the total is needed to store; a stored copy passed every check when it was stored.
    const converted = fromWire(wire, target.decimals);
    const totalMinor = "tx" in converted ? converted.tx.total : 0;
    return { ok: true, transaction: { wire, totalMinor, hash } };
  }
  if (wire.currency !== target.currency) {
    return reject(
      400,
      ERROR_CODES.validationFailed,
      `transaction.currency: ${wire.currency} is not the store's currency ${target.currency}`,
    );
  }
  const converted = fromWire(wire, target.decimals);
  if ("error" in converted) return reject(400, ERROR_CODES.validationFailed, `transaction.${converted.error}`);
  const problems = checkTotals(converted.tx);
  if (problems.length > 0) {
    return reject(422, ERROR_CODES.totalsMismatch, `transaction ${wire.id} does not add up: ${problems.join("; ")}`);
  }
  const problem = saleProblem(converted.tx, target.refs) ?? returnCheck(converted.tx, target, earlier);
  if (problem !== undefined) return reject(422, ERROR_CODES.validationFailed, problem);
  return { ok: true, transaction: { wire, totalMinor: converted.tx.total, hash } };
}

/**
 * A return against its original and every return of it stored before (or earlier in the same upload batch, where a
 * sale made offline and its return travel together): never more back than was sold.
 */
function returnCheck(tx: Transaction, target: SaleTarget, earlier: readonly CheckedTransaction[]): string | undefined {
  const originalId = tx.returnOf;
  if (originalId === undefined) return undefined;
  const toTx = (wire: WireTransaction): Transaction | undefined => {
    const converted = fromWire(wire, target.decimals);
    return "tx" in converted ? converted.tx : undefined;
  };
  const inBatch = earlier.map((c) => c.wire);
  const originalWire = target.refs.transaction(originalId) ?? inBatch.find((w) => w.id === originalId);
  // By id: a batch may resend a return the server already holds (its answer was lost); it counts once.
  const returns = new Map<string, WireTransaction>();
  for (const w of [...target.refs.returnsOf(originalId), ...inBatch.filter((w) => w.returnOf === originalId)]) {
    if (w.id !== tx.id && !returns.has(w.id)) returns.set(w.id, w);
  }
  const before = [...returns.values()].flatMap((w) => toTx(w) ?? []);
  return returnProblem(tx, originalWire ? toTx(originalWire) : undefined, returnedQuantities(before));
}

/**
 * Stores checked transactions in ONE SQLite transaction: all of them or none, so a killed server never leaves
 * half a batch. Same id + same content = duplicate (no-op); same id + other content = conflict, recorded once
 * per distinct content and never overwriting what was stored.
 */
export function storeTransactions(channel: Db, items: readonly CheckedTransaction[], clock: Clock): StoreOutcome[] {
  const receivedAt = isoTime(clock.now());
  const find = preparedPluck(channel, "SELECT content_hash FROM transactions WHERE id = ?");
  const insert = prepared(
    channel,
    `INSERT INTO transactions (id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
       received_at, mode, content_hash, body, return_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const conflict = prepared(
    channel,
    `INSERT INTO transaction_conflicts (transaction_id, register_id, stored_hash, incoming_hash, incoming_body,
       first_received_at, last_received_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT (transaction_id, incoming_hash) DO UPDATE SET
       last_received_at = excluded.last_received_at, attempts = attempts + 1`,
  );
  return channel
    .transaction(() =>
      items.map(({ wire, totalMinor, hash }): StoreOutcome => {
        const stored = find.get(wire.id) as string | undefined;
        if (stored === undefined) {
          insert.run(
            wire.id,
            wire.store,
            wire.register,
            wire.staff,
            wire.customer,
            wire.currency,
            totalMinor,
            wire.createdAt,
            receivedAt,
            wire.mode,
            hash,
            JSON.stringify(wire),
            wire.returnOf ?? null,
          );
          return { id: wire.id, status: "stored", receivedAt };
        }
        if (stored === hash) return { id: wire.id, status: "duplicate", receivedAt };
        conflict.run(wire.id, wire.register, stored, hash, JSON.stringify(wire), receivedAt, receivedAt);
        return {
          id: wire.id,
          status: "conflict",
          receivedAt,
          message: `transaction ${wire.id} was already stored with different content; the new copy is recorded as a conflict`,
        };
      }),
    )
    .immediate();
}

/** A batch: each element checked on its own, the valid ones stored together; results in input order. */
export function uploadTransactions(
  channel: Db,
  raws: readonly unknown[],
  device: Device,
  target: SaleTarget,
  clock: Clock,
): UploadResult[] {
  const valid: CheckedTransaction[] = [];
  const checks = raws.map((raw) => {
    const check = checkTransaction(raw, device, target, valid);
    if (check.ok) valid.push(check.transaction);
    return check;
  });
  const stored = storeTransactions(channel, valid, clock);
  let next = 0;
  return checks.map((c): UploadResult => {
    if (!c.ok) return { id: c.id, status: "rejected", message: `${c.code}: ${c.message}` };
    const outcome = stored[next++] as StoreOutcome;
    return outcome.status === "conflict"
      ? { id: outcome.id, status: "conflict", message: `${ERROR_CODES.transactionConflict}: ${outcome.message}` }
      : { id: outcome.id, status: outcome.status };
  });
}
