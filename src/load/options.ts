// `pos load` options from their text form: durations, rates, counts and store lists, each checked with a clear error.
import { parseDuration } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";

export interface LoadCliOptions {
  registers?: string;
  store?: string[];
  duration?: string;
  think?: string;
  signinRate?: string;
  journal?: string;
  items?: string;
  password?: string;
  timeout?: string;
  p99?: string;
}

export interface ParsedLoadOptions {
  registers: number;
  stores: string[] | undefined;
  durationMs: number;
  thinkMs: number;
  /** Sign-ins per second during the run, spread over the registers (none by default). */
  signinRate: number;
  journal: string | undefined;
  items: string[];
  password: string;
  timeoutMs: number;
  /** Checkout p99 limit in ms: exceeded → exit 1. */
  p99: number | undefined;
}

function duration(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < min) {
    throw new UsageError(
      `${flag}: expected a duration like 250ms, 10s or 2m${min > 0 ? ` (at least ${min} ms)` : ""}, got "${text}"`,
    );
  }
  return ms;
}

/** `5/s`, `300/min`, `5` (per second). */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2]?.startsWith("m") ? n / 60 : n;
}

export function parseLoadOptions(o: LoadCliOptions): ParsedLoadOptions {
  const registers = o.registers === undefined ? 10 : /^\d+$/.test(o.registers) ? Number(o.registers) : Number.NaN;
  if (!(registers >= 1 && registers <= 10_000)) {
    throw new UsageError(`--registers: expected a whole number from 1 to 10000, got "${o.registers}"`);
  }
  const stores = o.store
    ?.flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  let signinRate = 0;
  if (o.signinRate !== undefined) {
    const rate = parseRate(o.signinRate);
    if (rate === undefined || rate > 1000) {
      throw new UsageError(`--signin-rate: expected a rate like 5/s or 120/min, got "${o.signinRate}"`);
    }
    signinRate = rate;
  }
  let p99: number | undefined;
  if (o.p99 !== undefined) {
    p99 = parseDuration(o.p99.endsWith("ms") || /^\d+(\.\d+)?$/.test(o.p99) ? `${o.p99.replace(/ms$/, "")}ms` : o.p99);
    if (p99 === undefined || p99 <= 0)
      throw new UsageError(`--p99: expected milliseconds like 20 or 20ms, got "${o.p99}"`);
  }
  const items = (o.items ?? "1001,1002,1003")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError("--items: expected product ids or barcodes, e.g. 1001,1002");
  return {
    registers,
    stores: stores?.length ? stores : undefined,
    durationMs: duration(o.duration, "--duration", 60_000, 1),
    thinkMs: duration(o.think, "--think", 250, 0),
    signinRate,
    journal: o.journal,
    items,
    password: o.password ?? "1234",
    timeoutMs: duration(o.timeout, "--timeout", 30_000, 1),
    p99,
  };
}
