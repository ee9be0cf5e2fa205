// HQ on SQLite vs PostgreSQL, the same work in one run: a full 9999 distribution run, P-0001 of 10,000
// transactions, price changes with change tracking. PostgreSQL runs durable (fsync on), in a throwaway cluster.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFixtures } from "../fixtures/generate.js";
import { VirtualClock } from "../src/lib/clock.js";
import { prepared } from "../src/lib/db.js";
import { loadFixtures } from "../src/lib/fixtures.js";
import { ALL_JOBS, runDownload } from "../src/server/cdx/schedule.js";
import { runUpload } from "../src/server/cdx/upload.js";
import { openChannelDatabase } from "../src/server/channel-db.js";
import { loadMasterData } from "../src/server/data.js";
import { openPostgresHq } from "../src/server/hq/postgres.js";
import { openSqliteHq } from "../src/server/hq/sqlite.js";
import type { HqStore } from "../src/server/hq/store.js";
import { setPrice } from "../src/server/hq-products.js";
import { startPostgres } from "../test/helpers/pg-cluster.js";
import { figure, ratio, timeMsAsync } from "./lib.js";

const PRODUCTS = 20_000;
const TRANSACTIONS = 10_000;
const PRICE_CHANGES = 1_000;
const P0001_TARGET = 5_000;

interface Figures {
  distributionRows: number;
  distributionMs: number;
  uploadMs: number;
  priceMs: number;
  incrementalMs: number;
}

/** A channel database holding TRANSACTIONS sales of SEA01, as registers' uploads leave it. */
function channelWithSales(file: string) {
  const channel = openChannelDatabase(file);
  const insert = prepared(
    channel,
    `INSERT INTO transactions (id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
       received_at, mode, content_hash, body) VALUES (?, 'SEA01', 'SEA01-R1', '000160', NULL, 'USD', ?, ?, ?, ?, ?, ?)`,
  );
  channel.transaction(() => {
    for (let i = 1; i <= TRANSACTIONS; i++) {
      const id = `SEA01-R1-${String(i).padStart(6, "0")}`;
      const body = JSON.stringify({ id, lines: [{ item: "1001", qty: 1, amount: 999 + i }], total: 1102 + i });
      const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      insert.run(id, 1102 + i, at, at, i % 3 ? "online" : "offline", `hash-${i}`, body);
    }
  })();
  return channel;
}

async function measure(hq: HqStore, dir: string, fixturesDir: string, clock: VirtualClock): Promise<Figures> {
  await loadMasterData(hq, loadFixtures(fixturesDir), clock);
  await hq.distribution.reconcileDatabases(new Date(clock.now()).toISOString());
  const ctx = { hq, clock, packagesDir: join(dir, "packages") };
  let distributionRows = 0;
  const distributionMs = await timeMsAsync(async () => {
    const run = await runDownload(ctx, { job: ALL_JOBS, full: true });
    for (const s of run.sessions) distributionRows += Object.values(s.rows).reduce((sum, n) => sum + n, 0);
  });
  const channel = channelWithSales(join(dir, "channel-SEA01.db"));
  try {
    let uploaded = 0;
    const uploadMs = await timeMsAsync(async () => {
      const [session] = await runUpload({ hq, clock, channels: new Map([["SEA01", channel]]) });
      uploaded = session?.inserted ?? 0;
    });
    if (uploaded !== TRANSACTIONS) throw new Error(`P-0001 inserted ${uploaded}, expected ${TRANSACTIONS}`);
    if ((await hq.uploads.countTransactions()) !== TRANSACTIONS) throw new Error("HQ does not hold every sale once");
    const priceMs = await timeMsAsync(async () => {
      for (let i = 0; i < PRICE_CHANGES; i++) {
        await setPrice(hq, String(1001 + (i % 1000)), "SEA01", `${10 + (i % 90)}.${String(i % 100).padStart(2, "0")}`);
      }
    });
    const incrementalMs = await timeMsAsync(() => runDownload(ctx, { job: "1040" }));
    return { distributionRows, distributionMs, uploadMs, priceMs, incrementalMs };
  } finally {
    channel.close();
  }
}

export default async function hqEnginesBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pos-bench-hq-"));
  const cluster = await startPostgres({ durable: true });
  try {
    const fixturesDir = join(dir, "fixtures");
    await generateFixtures({ products: PRODUCTS, seed: 1, out: fixturesDir });
    const results: Record<"sqlite" | "postgres", Figures> = {} as Record<"sqlite" | "postgres", Figures>;
    for (const engine of ["sqlite", "postgres"] as const) {
      const work = join(dir, engine);
      const clock = new VirtualClock(Date.UTC(2026, 0, 1));
      const hq =
        engine === "sqlite" ? openSqliteHq(join(work, "hq.db")) : await openPostgresHq(await cluster.createDatabase());
      try {
        results[engine] = await measure(hq, work, fixturesDir, clock);
      } finally {
        await hq.close();
      }
    }
    const { sqlite, postgres } = results;
    for (const [engine, f] of [
      ["SQLite", sqlite],
      ["PostgreSQL", postgres],
    ] as const) {
      figure(
        `${engine}: full cdx run 9999 (every database)`,
        f.distributionRows / (f.distributionMs / 1000),
        "rows/s",
        `${f.distributionRows.toLocaleString("en-US")} rows in ${Math.round(f.distributionMs)} ms`,
      );
      figure(
        `${engine}: P-0001 of ${TRANSACTIONS.toLocaleString("en-US")} transactions`,
        TRANSACTIONS / (f.uploadMs / 1000),
        "tx/s",
        engine === "PostgreSQL" ? `target ≥ ${P0001_TARGET.toLocaleString("en-US")}` : "",
      );
      figure(`${engine}: price changes, change tracked`, PRICE_CHANGES / (f.priceMs / 1000), "changes/s");
      figure(`${engine}: incremental 1040 run after them`, f.incrementalMs, "ms");
    }
    ratio("P-0001 PostgreSQL / target 5,000 tx/s", TRANSACTIONS / (postgres.uploadMs / 1000) / P0001_TARGET, 1, true);
    figure("throughput PostgreSQL / SQLite: cdx run 9999", sqlite.distributionMs / postgres.distributionMs, "×");
    figure("throughput PostgreSQL / SQLite: P-0001", sqlite.uploadMs / postgres.uploadMs, "×");
    figure("throughput PostgreSQL / SQLite: price changes", sqlite.priceMs / postgres.priceMs, "×");
  } finally {
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
