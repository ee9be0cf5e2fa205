// Journal replay throughput offline (target ≥ 2,000 sales/s) and online through the embedded server (≥ 300/s); `wait: 24h` (< 10 ms).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { parseJournal } from "../src/replay/load.js";
import type { ReplayReport } from "../src/replay/report.js";
import { runReplay } from "../src/replay/runner.js";
import type { Scenario, Step } from "../src/replay/scenario.js";
import { figure, median, ratio, timeMs } from "./lib.js";

const OFFLINE_SALES = 10_000;
const ONLINE_SALES = 3_000;

/** A deterministic journal: 1–3 lines of the sample catalog (1001–1320), quantities 1–3, paid by card. */
function journalText(sales: number): string {
  const rows: string[] = [];
  for (let i = 0; i < sales; i++) {
    const lines = Array.from({ length: (i % 3) + 1 }, (_, j) => ({
      item: String(1001 + ((i * 7 + j * 13) % 320)),
      qty: ((i + j) % 3) + 1,
    }));
    rows.push(JSON.stringify({ lines, pay: [{ tender: "card" }], ref: `SEA01-R1-${String(i + 1).padStart(6, "0")}` }));
  }
  return `${rows.join("\n")}\n`;
}

/** Sales per second over the sale steps (set-up excluded), and from the median sale, which fsync stalls on a shared disk barely move. */
function saleRate(report: ReplayReport): { rate: number; medianRate: number; failed: number } {
  const sales = report.steps.filter((s) => s.kind === "sale");
  const ms = sales.reduce((sum, s) => sum + s.elapsedMs, 0);
  const medianMs = median(sales.map((s) => s.elapsedMs));
  return { rate: sales.length / (ms / 1000), medianRate: 1000 / medianMs, failed: report.summary.failed };
}

function target(label: string, value: number, unit: string, min: number): void {
  figure(label, value, unit, `target ≥ ${min.toLocaleString("en-US")} ${value >= min ? "OK" : "MISSED"}`);
}

/** The floor under an offline sale: one synchronous=FULL commit of a sale row, measured on this machine now. */
function rawCommitRate(rows: number): number {
  const dir = mkdtempSync(join(tmpdir(), "pos-bench-replay-raw-"));
  try {
    const db = new Database(join(dir, "raw.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, seq INTEGER, total INTEGER, body TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
    const body = "x".repeat(600);
    const ms = timeMs(() => {
      for (let i = 0; i < rows; i++) insert.run(`SEA01-R1-${i}`, i, i * 3, body);
    });
    db.close();
    return rows / (ms / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function replayBench(): Promise<void> {
  const text = journalText(OFFLINE_SALES);
  let journal: Scenario | undefined;
  const parseMs = timeMs(() => {
    journal = parseJournal(text, "bench.ndjson");
  });
  if (!journal) throw new Error("journal did not parse");
  figure(`parse a ${OFFLINE_SALES.toLocaleString("en-US")}-sale journal`, OFFLINE_SALES / (parseMs / 1000), "sales/s");

  const disconnect: Step = { number: 0, kind: "op", op: "disconnect" };
  const offline = await runReplay({ scenario: { ...journal, steps: [disconnect, ...journal.steps] } });
  const off = saleRate(offline);
  target(`replay ${OFFLINE_SALES.toLocaleString("en-US")} sales offline (917)`, off.rate, "sales/s", 2000);
  figure("  offline, from the median sale", off.medianRate, "sales/s");
  if (off.failed > 0) console.log(`  ${off.failed} steps failed offline`);
  const raw = rawCommitRate(5000);
  figure("raw better-sqlite3 FULL commit per row", raw, "rows/s");
  ratio("offline replay / raw FULL commit", off.rate / raw, 0.5, true);

  const online = await runReplay({ scenario: { ...journal, steps: journal.steps.slice(0, ONLINE_SALES) } });
  const on = saleRate(online);
  target(`replay ${ONLINE_SALES.toLocaleString("en-US")} sales online (embedded server)`, on.rate, "sales/s", 300);
  figure("  online, from the median sale", on.medianRate, "sales/s");
  if (on.failed > 0) console.log(`  ${on.failed} steps failed online`);

  const waits: Step[] = Array.from({ length: 5 }, (_, i) => ({
    number: i + 1,
    kind: "wait",
    ms: 86_400_000,
    text: "24h",
  }));
  const waited = await runReplay({
    scenario: { ...journal, source: "scenario", profile: { advancedOfflineSwitching: true }, steps: waits },
  });
  const waitMs = median(waited.steps.map((s) => s.elapsedMs));
  figure("wait: 24h (median of 5, virtual clock)", waitMs, "ms", `target < 10 ms ${waitMs < 10 ? "OK" : "MISSED"}`);
}
