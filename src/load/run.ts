// `pos load`: many emulated registers from one process — sign-in storm, paced sales, sign-ins at a rate, exact verification.
import { readFileSync } from "node:fs";
import { fromMajor } from "../domain/money.js";
import { percentToPpm } from "../domain/tax.js";
import { computeTotals, priceLine, type TransactionLine, toWire } from "../domain/transaction.js";
import type { Clock } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import { createRegisterConnection, type RegisterConnection } from "./client.js";
import type { ParsedLoadOptions } from "./options.js";
import {
  answerError,
  castRegisters,
  connectRegister,
  LOAD_FIRST_SEQUENCE,
  outcomeOf,
  type RegisterConfig,
  readLoadState,
  writeLoadState,
} from "./setup.js";
import { createLoadStats, type KindFigures } from "./stats.js";
import { type HeldTransaction, type SentSale, sequenceOf, type Verification, verifyRun } from "./verify.js";

export interface LoadRunOptions extends ParsedLoadOptions {
  server: string;
  adminToken: string;
  /** Device tokens and next numbers per register, kept between runs. */
  stateFile: string;
  clock: Clock;
  /** Progress for a person or a test: "selling" once every register signed in, then "verifying". */
  onPhase?: (phase: "connecting" | "signing-in" | "selling" | "verifying") => void;
  /** Seeds the choice of items, so two runs with the same options sell the same carts. */
  seed?: number;
}

/** A moment of one register's run worth drawing: an error answer, or no answer. */
export interface LoadEvent {
  register: string;
  /** ms since the run started. */
  at: number;
  kind: string;
  outcome: string;
}

export interface LoadResult {
  server: string;
  registers: number;
  stores: number;
  startedAt: string;
  seconds: number;
  sales: { acknowledged: number; inDoubt: number; perSecond: number };
  signinStorm: { registers: number; ms: number };
  kinds: KindFigures[];
  errors: Record<string, number>;
  verification: Verification;
  p99: { limit: number; checkout: number; exceeded: boolean } | null;
  ok: boolean;
  /** Error events over time (at most 2,000), for the report's timeline. */
  events: LoadEvent[];
}

interface Cart {
  item: string;
  qty: number;
  discount: number;
}

const MAX_EVENTS = 2000;

export async function runLoad(options: LoadRunOptions): Promise<LoadResult> {
  const stats = createLoadStats();
  const events: LoadEvent[] = [];
  const admin = createRegisterConnection(options.server, options.timeoutMs);
  const carts = options.journal ? journalCarts(options.journal) : undefined;
  const random = seeded(options.seed ?? 1);
  const state = readLoadState(options.stateFile);
  const connections: RegisterConnection[] = [];
  try {
    options.onPhase?.("connecting");
    const cast = await castRegisters(admin, options.adminToken, options.registers, options.stores);
    const registers = await Promise.all(
      cast.registers.map(async (r) => {
        const conn = createRegisterConnection(options.server, options.timeoutMs);
        connections.push(conn);
        const { token, config } = await connectRegister(
          conn,
          options.adminToken,
          r.id,
          state.registers[r.id]?.token,
          stats,
        );
        const startSeq = Math.max(state.registers[r.id]?.nextSeq ?? LOAD_FIRST_SEQUENCE, LOAD_FIRST_SEQUENCE);
        return { ...r, conn, token, config, startSeq, nextSeq: startSeq };
      }),
    );
    // Numbers are reserved before selling: a run killed half-way leaves a gap, never a number used twice.
    const reserve = Math.ceil(options.durationMs / Math.max(1, options.thinkMs)) + 1000;
    for (const r of registers) state.registers[r.id] = { token: r.token, nextSeq: r.startSeq + reserve };
    writeLoadState(options.stateFile, state);

    const started = options.clock.now();
    const startedAt = new Date(started).toISOString();
    const event = (register: string, kind: string, outcome: string) => {
      if (events.length < MAX_EVENTS) events.push({ register, at: options.clock.now() - started, kind, outcome });
    };
    const signIn = async (r: (typeof registers)[number]) => {
      const a = await r.conn.call("POST", "/v1/staff/signin", { staff: r.staff, password: options.password }, r.token);
      stats.record("signin", a.ms, a.status === 200 ? null : outcomeOf(a));
      if (a.status !== 200) event(r.id, "signin", outcomeOf(a));
      return a;
    };

    options.onPhase?.("signing-in");
    const stormStart = performance.now();
    const storm = await Promise.all(registers.map(signIn));
    const stormMs = performance.now() - stormStart;
    const refused = storm.findIndex((a) => a.status !== 200);
    if (refused !== -1)
      throw answerError(
        `sign-in of ${registers[refused]?.staff} at ${registers[refused]?.id}`,
        storm[refused] as never,
      );

    options.onPhase?.("selling");
    const sellingFrom = options.clock.now();
    const until = sellingFrom + options.durationMs;
    const acknowledged: SentSale[] = [];
    const inDoubt: SentSale[] = [];
    const think = () => options.clock.sleep(options.thinkMs * (0.5 + random()));
    let cartTurn = 0;
    const nextCart = (): Cart[] => {
      if (carts) return carts[cartTurn++ % carts.length] as Cart[];
      const n = 1 + Math.floor(random() * 3);
      return Array.from({ length: n }, () => ({
        item: options.items[Math.floor(random() * options.items.length)] as string,
        qty: 1 + Math.floor(random() * 2),
        discount: 0,
      }));
    };

    const sellLoop = async (r: (typeof registers)[number]) => {
      await options.clock.sleep(options.thinkMs * random());
      while (options.clock.now() < until) {
        const lines: TransactionLine[] = [];
        for (const line of nextCart()) {
          const a = await r.conn.call("GET", `/v1/products/${encodeURIComponent(line.item)}`, undefined, r.token);
          stats.record("lookup", a.ms, a.status === 200 ? null : outcomeOf(a));
          if (a.status === 200) lines.push(toLine(lines.length + 1, line, a.body as ProductBody, r.config));
          else event(r.id, "lookup", outcomeOf(a));
          await think();
          if (options.clock.now() >= until) break;
        }
        if (lines.length === 0 || options.clock.now() >= until) continue;
        const wire = toSale(r, r.nextSeq++, lines, new Date(options.clock.now()).toISOString());
        const sent: SentSale = {
          id: wire.id,
          register: r.id,
          staff: r.staff,
          createdAt: wire.createdAt,
          total: wire.total,
        };
        // No answer: sent again once with the same id (exactly once: the server answers duplicate if it has it).
        let answer = await r.conn.call("POST", "/v1/transactions", wire, r.token);
        stats.record("checkout", answer.ms, answer.status === 201 || answer.status === 200 ? null : outcomeOf(answer));
        if (answer.status === 0) {
          event(r.id, "checkout", outcomeOf(answer));
          answer = await r.conn.call("POST", "/v1/transactions", wire, r.token);
          stats.record(
            "checkout",
            answer.ms,
            answer.status === 201 || answer.status === 200 ? null : outcomeOf(answer),
          );
        }
        if (answer.status === 201 || answer.status === 200) acknowledged.push(sent);
        else if (answer.status === 0 || answer.status >= 500) {
          inDoubt.push(sent);
          event(r.id, "checkout", outcomeOf(answer));
        } else event(r.id, "checkout", outcomeOf(answer));
        await think();
      }
    };

    const signinLoop = async () => {
      if (options.signinRate <= 0) return;
      const every = 1000 / options.signinRate;
      let turn = 0;
      const pending: Promise<unknown>[] = [];
      for (let at = sellingFrom + every; at < until; at += every) {
        await options.clock.sleep(Math.max(0, at - options.clock.now()));
        // Sign-ins are not awaited one by one: a slow sign-in must not lower the rate asked for.
        pending.push(signIn(registers[turn++ % registers.length] as (typeof registers)[number]));
      }
      await Promise.all(pending);
    };

    await Promise.all([...registers.map(sellLoop), signinLoop()]);
    const seconds = (options.clock.now() - sellingFrom) / 1000;
    for (const r of registers) state.registers[r.id] = { token: r.token, nextSeq: r.nextSeq };
    writeLoadState(options.stateFile, state);

    options.onPhase?.("verifying");
    // A minute of slack for a server clock a little behind ours; the numbers decide what is the run's.
    const held = await heldByRun(admin, options.adminToken, registers, new Date(started - 60_000).toISOString());
    const verification = verifyRun(acknowledged, inDoubt, held);
    const figures = stats.figures(seconds);
    const checkout = figures.kinds.find((k) => k.kind === "checkout")?.p99 ?? 0;
    const p99 = options.p99 === undefined ? null : { limit: options.p99, checkout, exceeded: checkout > options.p99 };
    return {
      server: options.server,
      registers: registers.length,
      stores: new Set(registers.map((r) => r.store)).size,
      startedAt,
      seconds: Math.round(seconds * 100) / 100,
      sales: {
        acknowledged: acknowledged.length,
        inDoubt: inDoubt.length,
        perSecond: seconds > 0 ? Math.round((acknowledged.length / seconds) * 100) / 100 : 0,
      },
      signinStorm: { registers: registers.length, ms: Math.round(stormMs) },
      kinds: figures.kinds,
      errors: figures.errors,
      verification,
      p99,
      ok: verification.ok && !p99?.exceeded,
      events,
    };
  } finally {
    admin.close();
    for (const c of connections) c.close();
  }
}

interface ProductBody {
  id: string;
  name: string;
  taxGroup: string;
  taxRate: number;
  price: number;
}

function toLine(line: number, cart: Cart, p: ProductBody, config: RegisterConfig): TransactionLine {
  const unitPrice = fromMajor(p.price, config.store.decimals) ?? 0;
  const taxRatePpm = percentToPpm(p.taxRate);
  const { amount, tax } = priceLine({ qty: cart.qty, unitPrice, discountPct: cart.discount, taxRatePpm });
  return {
    line,
    item: p.id,
    name: p.name,
    qty: cart.qty,
    unitPrice,
    discountPct: cart.discount,
    taxGroup: p.taxGroup,
    taxRatePpm,
    voided: false,
    amount,
    tax,
  };
}

function toSale(
  r: { id: string; store: string; staff: string; config: RegisterConfig },
  seq: number,
  lines: TransactionLine[],
  createdAt: string,
) {
  const totals = computeTotals(lines);
  const card = r.config.tenders.find((t) => t.kind === "card") ?? r.config.tenders[0];
  return toWire({
    id: `${r.id}-${seq}`,
    store: r.store,
    register: r.id,
    staff: r.staff,
    customer: null,
    currency: r.config.store.currency,
    decimals: r.config.store.decimals,
    createdAt,
    mode: "online",
    lines,
    tenders: [{ tender: card?.id ?? "card", kind: card?.kind ?? "card", amount: totals.total, change: 0 }],
    ...totals,
  });
}

/** The run's transactions at the server: its registers' stores, received since the run started, numbers from its first. */
async function heldByRun(
  admin: RegisterConnection,
  token: string,
  registers: ReadonlyArray<{ id: string; store: string; startSeq: number }>,
  since: string,
): Promise<HeldTransaction[]> {
  const first = new Map(registers.map((r) => [r.id, r.startSeq]));
  const held: HeldTransaction[] = [];
  for (const store of [...new Set(registers.map((r) => r.store))].sort()) {
    let after: string | null = null;
    do {
      const query = new URLSearchParams({ store, since, limit: "10000", ...(after ? { after } : {}) });
      const r = await admin.call("GET", `/v1/admin/transactions?${query}`, undefined, token);
      if (r.status !== 200) throw answerError(`transactions of ${store}`, r);
      const page = r.body as { transactions: HeldTransaction[]; nextCursor: string | null };
      for (const t of page.transactions) {
        const from = first.get(t.register);
        if (from !== undefined && sequenceOf(t.id) >= from) held.push(t);
      }
      after = page.nextCursor;
    } while (after);
  }
  return held;
}

/** Carts from a sales journal (`pos journal export`, or a register's journal.ndjson), sold in turn. */
function journalCarts(file: string): Cart[][] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--journal ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const carts: Cart[][] = [];
  text.split("\n").forEach((row, i) => {
    if (row.trim() === "") return;
    let sale: { lines?: Array<{ item?: unknown; qty?: unknown; discount?: unknown; void?: unknown }> };
    try {
      sale = JSON.parse(row);
    } catch {
      throw new UsageError(`--journal ${file}: line ${i + 1}: not JSON`);
    }
    if (!Array.isArray(sale.lines))
      throw new UsageError(`--journal ${file}: line ${i + 1}: field "lines": expected an array`);
    const cart = sale.lines
      .filter((l) => l.void !== true)
      .map((l) => ({ item: String(l.item), qty: Number(l.qty) || 1, discount: Number(l.discount) || 0 }));
    if (cart.length > 0) carts.push(cart);
  });
  if (carts.length === 0) throw new UsageError(`--journal ${file}: no sales in it`);
  return carts;
}

/** mulberry32, so the same seed sells the same carts (never Math.random). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
