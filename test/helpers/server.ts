// Starts the real `pos server start --port 0` in a home and parses its URL; builds valid wire transactions.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromMajor } from "../../src/domain/money.js";
import { percentToPpm } from "../../src/domain/tax.js";
import {
  computeTotals,
  priceLine,
  type Transaction,
  type TransactionLine,
  toWire,
  type WireTransaction,
} from "../../src/domain/transaction.js";
import { type RunResult, spawnPos } from "./cli.js";

export interface TestServer {
  url: string;
  adminToken: string;
  adminTokenFile: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): { stdout: string; stderr: string };
  /** Sends the signal (default SIGTERM) and waits for the exit. Safe to call twice. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
}

export async function startServer(
  home: string,
  args: string[] = [],
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = {},
): Promise<TestServer> {
  const child = spawnPos(["server", "start", "--port", "0", ...args], { home, env });
  child.stdin?.end();
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<RunResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${stdout}\n${stderr}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${r.code ?? r.signal}) before listening:\n${r.stdout}\n${r.stderr}`));
    });
  });
  const adminTokenFile = /admin token: (\S+)/.exec(stdout)?.[1] ?? join(home, "server", "admin-token");
  let stopping: Promise<RunResult> | undefined;
  return {
    url,
    adminToken: readFileSync(adminTokenFile, "utf8").trim(),
    adminTokenFile,
    child,
    output: () => ({ stdout, stderr }),
    stop: (signal = "SIGTERM") => {
      if (!stopping) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        stopping = exited.finally(() => clearTimeout(killer));
      }
      return stopping;
    },
  };
}

/** Calls the server with fetch; answers status + parsed JSON (or text). */
export async function call(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; contentType?: string } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  const response = await fetch(url + path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text so the assertion shows it
  }
  return { status: response.status, body };
}

export interface SaleLine {
  item: string;
  name?: string;
  qty?: number;
  /** Major units, as the product lookup answers. */
  price: number;
  taxGroup: string;
  /** Percent, as the product lookup answers. */
  taxRate: number;
  discountPct?: number;
}

/** A wire transaction whose arithmetic adds up (paid by card), built with the domain's own rules. */
export function buildSale(input: {
  id: string;
  store: string;
  register: string;
  staff?: string;
  currency: string;
  decimals: number;
  lines: SaleLine[];
  createdAt?: string;
  mode?: "online" | "offline";
}): WireTransaction {
  const lines: TransactionLine[] = input.lines.map((l, i) => {
    const unitPrice = fromMajor(l.price, input.decimals) ?? 0;
    const taxRatePpm = percentToPpm(l.taxRate);
    const qty = l.qty ?? 1;
    const discountPct = l.discountPct ?? 0;
    const { amount, tax } = priceLine({ qty, unitPrice, discountPct, taxRatePpm });
    return {
      line: i + 1,
      item: l.item,
      name: l.name ?? l.item,
      qty,
      unitPrice,
      discountPct,
      taxGroup: l.taxGroup,
      taxRatePpm,
      voided: false,
      amount,
      tax,
    };
  });
  const totals = computeTotals(lines);
  const tx: Transaction = {
    id: input.id,
    store: input.store,
    register: input.register,
    staff: input.staff ?? "000160",
    customer: null,
    currency: input.currency,
    decimals: input.decimals,
    createdAt: input.createdAt ?? "2026-01-01T10:00:00.000Z",
    mode: input.mode ?? "online",
    lines,
    tenders: [{ tender: "card", kind: "card", amount: totals.total, change: 0 }],
    ...totals,
  };
  return toWire(tx);
}
