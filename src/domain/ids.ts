// Transaction ids `<store>-<register>-<seq>`, unique across online and offline because each register owns its sequence.

export interface TransactionIdParts {
  store: string;
  register: string;
  /** `<store>-<register>`, as registers are named (SEA01-R1). */
  registerId: string;
  seq: number;
}

const PART = /^[A-Za-z0-9]+$/;
const SEQ_WIDTH = 6;

/** Splits a register id (`SEA01-R1`) into its store and register parts; undefined when it has another shape. */
export function splitRegisterId(registerId: string): { store: string; register: string } | undefined {
  const parts = registerId.split("-");
  if (parts.length !== 2) return undefined;
  const [store, register] = parts as [string, string];
  return PART.test(store) && PART.test(register) ? { store, register } : undefined;
}

/** `transactionId("SEA01-R1", 42)` = `"SEA01-R1-000042"`; sequences past 999999 simply grow wider. */
export function transactionId(registerId: string, seq: number): string {
  if (!splitRegisterId(registerId)) {
    throw new RangeError(`register id must look like <store>-<register> (e.g. SEA01-R1), got "${registerId}"`);
  }
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new RangeError(`transaction sequence must be a whole number ≥ 0, got ${seq}`);
  }
  return `${registerId}-${String(seq).padStart(SEQ_WIDTH, "0")}`;
}

/**
 * Parts of a transaction id, or undefined unless it is exactly what `transactionId` makes — so
 * `SEA01-R1-42` and `SEA01-R1-000042` can never both name one sale.
 */
export function parseTransactionId(id: string): TransactionIdParts | undefined {
  const match = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)-(\d+)$/.exec(id);
  if (!match) return undefined;
  const [, store = "", register = "", digits = ""] = match;
  const seq = Number(digits);
  const registerId = `${store}-${register}`;
  if (!Number.isSafeInteger(seq) || transactionId(registerId, seq) !== id) return undefined;
  return { store, register, registerId, seq };
}
