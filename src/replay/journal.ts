// The register's sales journal: every completed sale appended as one `sale:` object (NDJSON), which `pos replay` reads back.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseDuration } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";
import type { Receipt } from "../register/sale-session.js";

export interface JournalLine {
  item: string;
  qty: number;
  discount?: number;
  void?: true;
}

/** One journal line: the sale as a scenario's `sale:` step writes it, plus where it came from. */
export interface JournalSale {
  lines: JournalLine[];
  /** What the cashier tendered (cash includes the change handed back), major units. */
  pay: Array<{ tender: string; amount: number }>;
  customer?: string;
  expect: { total: number };
  /** The transaction id. */
  ref: string;
  /** When the sale was made (createdAt). */
  at: string;
}

export function receiptToJournalSale(receipt: Receipt): JournalSale {
  const wire = receipt.wire;
  const decimals = receipt.transaction.decimals;
  return {
    lines: wire.lines.map((l) => ({
      item: l.item,
      qty: l.qty,
      ...(l.discountPct > 0 ? { discount: l.discountPct } : {}),
      ...(l.voided ? { void: true as const } : {}),
    })),
    // Cash is replayed with what was handed over so that the same change comes back.
    pay: wire.tenders.map((t) => ({ tender: t.tender, amount: round(t.amount + t.change, decimals) })),
    ...(wire.customer ? { customer: wire.customer } : {}),
    expect: { total: wire.total },
    ref: wire.id,
    at: wire.createdAt,
  };
}

/** Appends one completed sale; openRegister's `journal` option calls this after the sale is durable. */
export function appendJournal(paths: Paths, registerId: string, receipt: Receipt): void {
  const file = paths.journal(registerId);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(receiptToJournalSale(receipt))}\n`);
}

export interface JournalReadResult {
  file: string;
  /** The journal lines kept, as written (NDJSON text without the trailing newline). */
  lines: string[];
  total: number;
  /** Lines that are not a journal sale (a line torn by a crash mid-append), by line number. */
  skipped: number[];
}

/** The journal's sales made at or after `since` (ms since the epoch), in the order they were made. */
export function readJournal(paths: Paths, registerId: string, since?: number): JournalReadResult {
  const file = paths.journal(registerId);
  const result: JournalReadResult = { file, lines: [], total: 0, skipped: [] };
  if (!existsSync(file)) return result;
  const rows = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]?.trim() ?? "";
    if (row === "") continue;
    result.total++;
    let at: number;
    try {
      const value = JSON.parse(row) as Partial<JournalSale>;
      at = typeof value.at === "string" ? Date.parse(value.at) : Number.NaN;
      if (!Array.isArray(value.lines) || Number.isNaN(at)) throw new Error("not a journal sale");
    } catch {
      result.skipped.push(i + 1);
      continue;
    }
    if (since === undefined || at >= since) result.lines.push(row);
  }
  return result;
}

/** `--since`: an ISO date or time, or a duration back from `now` (`24h`, `30m`); ms since the epoch. */
export function parseSince(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  } else {
    const ms = parseDuration(text);
    if (ms !== undefined) return now - ms;
  }
  throw new UsageError(`--since: expected an ISO time (2026-01-05T09:00:00Z) or a duration (24h, 30m), got "${text}"`);
}

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}
