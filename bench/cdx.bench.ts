// Distribution speed: a full 1040 package for one offline database from an HQ with a 200,000-product catalog.
// Baselines from the same run: reading + serialising the same rows from SQLite (what generation cannot beat: it
// does that, then gzip and the file), and the package writer alone on rows already in memory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFixtures } from "../fixtures/generate.js";
import { VirtualClock } from "../src/lib/clock.js";
import type { Db } from "../src/lib/db.js";
import { loadFixtures } from "../src/lib/fixtures.js";
import { DOWNLOAD_JOBS, type Row, TABLES, type TableName } from "../src/schema/tables.js";
import { runDownload } from "../src/server/cdx/schedule.js";
import { loadMasterData } from "../src/server/data.js";
import { openSqliteHq } from "../src/server/hq/sqlite.js";
import type { PackageChange } from "../src/sync/package/format.js";
import { writePackage } from "../src/sync/package/writer.js";
import { figure, median, ratio, timeMs, timeMsAsync } from "./lib.js";

const PRODUCTS = 200_000;
const RUNS = 3;
const DATABASE = "SEA01-R1-OFFLINE";

export default async function cdxBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pos-bench-cdx-"));
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  try {
    await generateFixtures({ products: PRODUCTS, seed: 1, out: join(dir, "fixtures") });
    const store = openSqliteHq(join(dir, "hq.db"));
    const hq = store.db;
    try {
      const data = loadFixtures(join(dir, "fixtures"));
      let loaded = 0;
      const loadMs = await timeMsAsync(async () => {
        loaded = await loadMasterData(store, data, clock);
      });
      figure("HQ load, change tracked", loaded / (loadMs / 1000), "rows/s", `${loaded.toLocaleString("en-US")} rows`);
      await store.distribution.reconcileDatabases(new Date(clock.now()).toISOString());
      const ctx = { hq: store, clock, packagesDir: join(dir, "packages") };

      // Alternate generation and the baselines so drift on a shared machine hits them alike.
      const rows = storeRows(hq, "SEA01");
      const generateTimes: number[] = [];
      const readTimes: number[] = [];
      const writerTimes: number[] = [];
      let packaged = 0;
      let size = 0;
      for (let run = 0; run < RUNS; run++) {
        generateTimes.push(
          await timeMsAsync(async () => {
            const result = await runDownload(ctx, { job: "1040", full: true, database: DATABASE });
            const session = result.sessions[0];
            packaged = Object.values(session?.rows ?? {}).reduce((sum, n) => sum + n, 0);
            size = session?.size ?? 0;
          }),
        );
        readTimes.push(
          timeMs(() => {
            let chars = 0;
            for (const { row } of storeRows(hq, "SEA01")) chars += JSON.stringify(row).length;
            if (chars === 0) throw new Error("no rows read");
          }),
        );
        writerTimes.push(
          await timeMsAsync(() =>
            writePackage(join(dir, `baseline-${run}.pkg`), header(run), changesOf(rows)).then(() => undefined),
          ),
        );
      }
      if (packaged !== rows.length) throw new Error(`packaged ${packaged} rows, expected ${rows.length}`);
      const generateRate = packaged / (median(generateTimes) / 1000);
      const readRate = rows.length / (median(readTimes) / 1000);
      const writerRate = rows.length / (median(writerTimes) / 1000);
      figure(
        `full 1040 package, one offline db (median of ${RUNS})`,
        generateRate,
        "rows/s",
        `${packaged.toLocaleString("en-US")} rows, ${(size / 1e6).toFixed(1)} MB`,
      );
      figure("baseline: SQLite read + JSON of the same rows", readRate, "rows/s");
      figure("baseline: writePackage alone, rows from memory", writerRate, "rows/s");
      ratio("generation / (SQLite read + JSON)", generateRate / readRate, 0.5, true);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows a SEA01 database gets from job 1040, read once into memory for the writer-only baseline. */
function storeRows(hq: Db, store: string): { table: TableName; row: Row }[] {
  const out: { table: TableName; row: Row }[] = [];
  for (const table of DOWNLOAD_JOBS["1040"].tables as readonly TableName[]) {
    const columns = Object.keys(TABLES[table].columns).join(", ");
    const forStore = TABLES[table].forStore;
    for (const row of hq.prepare(`SELECT ${columns} FROM ${table}`).iterate() as Iterable<Row>) {
      if (!forStore || forStore(row, store)) out.push({ table, row });
    }
  }
  return out;
}

function* changesOf(rows: { table: TableName; row: Row }[]): Generator<PackageChange> {
  for (const { table, row } of rows) yield { table, op: "upsert", row };
}

function header(run: number) {
  return { session: 1_000 + run, job: "1040", database: DATABASE, full: true, fromVersion: 0, toVersion: 1 };
}
