// Register figures: failover latency (refused, blackhole), offline checkout rate, full-package pull vs raw insert, push rate.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { generateFixtures } from "../fixtures/generate.js";
import { createFaultProxy } from "../src/faults/proxy.js";
import { createCdxClient } from "../src/lib/cdx-client.js";
import { systemClock } from "../src/lib/clock.js";
import { loadFixtures } from "../src/lib/fixtures.js";
import { createPaths } from "../src/lib/paths.js";
import { createMemoryStateStore, initialConnectionState } from "../src/register/connection-state.js";
import { provisionRegister } from "../src/register/provision.js";
import { openRegister } from "../src/register/runtime.js";
import { TABLES, type TableName } from "../src/schema/tables.js";
import { TARGET_COLUMNS_UPGRADE, TARGET_MIGRATIONS } from "../src/schema/target.js";
import { startServer } from "../src/server/start.js";
import { pull } from "../src/sync/pull.js";
import { push } from "../src/sync/push.js";
import { figure, median, ratio, timeMs, timeMsAsync } from "./lib.js";

const PULL_PRODUCTS = 100_000;
const SALES = 3_000;
const PUSH = 10_000;
const BLACKHOLE_TIMEOUT_S = 0.3;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function rawInsertMs(fixturesDir: string, tables: TableName[]): { rows: number; ms: number } {
  const data = loadFixtures(fixturesDir);
  const dir = mkdtempSync(join(tmpdir(), "pos-bench-raw-"));
  try {
    const db = new Database(join(dir, "raw.db"));
    db.pragma("journal_mode = WAL");
    db.exec(TARGET_MIGRATIONS[0] ?? "");
    if (typeof TARGET_COLUMNS_UPGRADE === "function") TARGET_COLUMNS_UPGRADE(db);
    let rows = 0;
    const ms = timeMs(() => {
      db.transaction(() => {
        for (const table of tables) {
          const def = TABLES[table];
          const cols = Object.keys(def.columns);
          const insert = db.prepare(
            `INSERT OR REPLACE INTO ${table} (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`,
          );
          for (const row of data[table]) {
            if (def.forStore && !def.forStore(row, "SEA01")) continue;
            insert.run(cols.map((c) => row[c] ?? null));
            rows++;
          }
        }
      })();
    });
    db.close();
    return { rows, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor under a durable offline sale: one synchronous=FULL commit of a sale-sized row, on this disk, now. */
function rawFullCommitRate(rows: number): number {
  const dir = mkdtempSync(join(tmpdir(), "pos-bench-fsync-"));
  try {
    const db = new Database(join(dir, "raw.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, status TEXT, seq INTEGER, body TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?, 'pending', ?, ?)");
    const body = "x".repeat(700);
    const ms = timeMs(() => {
      for (let i = 0; i < rows; i++) insert.run(`SEA01-R1-${i}`, i, body);
    });
    db.close();
    return rows / (ms / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function registerBench(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "pos-bench-register-"));
  const fixturesDir = join(home, "fixtures");
  await generateFixtures({ products: PULL_PRODUCTS, seed: 7, out: fixturesDir });
  const paths = createPaths(home);
  const server = await startServer({
    dataDir: paths.serverDir,
    serverDir: paths.serverDir,
    host: "127.0.0.1",
    port: 0,
    clock: systemClock,
    version: "bench",
    fixtures: () => loadFixtures(fixturesDir),
  });
  const proxy = await createFaultProxy({ target: server.url });
  const cdx = createCdxClient({ url: server.url, token: server.adminToken });
  try {
    await provisionRegister({
      paths,
      clock: systemClock,
      registerId: "SEA01-R1",
      serverUrl: proxy.url,
      adminToken: server.adminToken,
      offline: true,
      sync: false,
    });
    await cdx.run({ job: "9999", database: "SEA01-R1-OFFLINE" });

    // End-to-end pull of the full packages (download + verify + apply) against a raw insert of the same rows.
    const rt = await openRegister({
      paths,
      clock: systemClock,
      registerId: "SEA01-R1",
      profile: { timeoutInterval: 30 },
    });
    let pulledRows = 0;
    const pullMs = await timeMsAsync(async () => {
      const r = await pull({
        http: rt.http,
        db: rt.db,
        clock: systemClock,
        database: "SEA01-R1-OFFLINE",
        workDir: join(home, "dl"),
      });
      pulledRows = r.rows;
    });
    await rt.close();
    const raw = rawInsertMs(fixturesDir, [
      "products",
      "barcodes",
      "prices",
      "customers",
      "staff",
      "stores",
      "tax_groups",
      "tenders",
      "registers",
      "offline_profiles",
    ]);
    figure(
      `pull, full packages (${PULL_PRODUCTS.toLocaleString("en-US")} products)`,
      pulledRows / (pullMs / 1000),
      "rows/s",
      `${pulledRows} rows`,
    );
    figure("raw better-sqlite3 insert of the same rows", raw.rows / (raw.ms / 1000), "rows/s");
    ratio("pull / raw insert", raw.ms / pullMs, 0.5, true);

    // Failover latency when the server refuses: the same lookup against a closed port vs offline directly.
    const port = await closedPort();
    const lookups = async (serverUrl: string | undefined, mode: "online" | "offline-manual", n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = await openRegister({
          paths,
          clock: systemClock,
          registerId: "SEA01-R1",
          ...(serverUrl ? { serverUrl } : {}),
          stateStore: createMemoryStateStore(initialConnectionState(Date.now(), mode)),
        });
        const s = r.newSession();
        times.push(await timeMsAsync(() => s.addItem("1001")));
        await r.close();
      }
      return median(times);
    };
    const offlineMs = await lookups(undefined, "offline-manual", 15);
    const refusedMs = await lookups(`http://127.0.0.1:${port}`, "online", 15);
    figure("lookup offline (median)", offlineMs, "ms");
    figure("lookup with failover on refused (median)", refusedMs, "ms");
    figure(
      "failover latency added on refused",
      refusedMs - offlineMs,
      "ms",
      `target ≤ 50 ${refusedMs - offlineMs <= 50 ? "OK" : "MISSED"}`,
    );

    // Blackhole: the failover waits for timeoutInterval and not more.
    await proxy.setFault("blackhole");
    const blackhole: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await openRegister({
        paths,
        clock: systemClock,
        registerId: "SEA01-R1",
        serverUrl: proxy.url,
        profile: { timeoutInterval: BLACKHOLE_TIMEOUT_S },
        stateStore: createMemoryStateStore(initialConnectionState(Date.now())),
      });
      const s = r.newSession();
      blackhole.push(await timeMsAsync(() => s.addItem("1001")));
      await r.close();
    }
    await proxy.setFault("none");
    const bh = median(blackhole);
    figure(
      `failover on blackhole (timeout ${BLACKHOLE_TIMEOUT_S * 1000} ms)`,
      bh,
      "ms",
      `target ≤ ${BLACKHOLE_TIMEOUT_S * 1000 + 100} ${bh <= BLACKHOLE_TIMEOUT_S * 1000 + 100 ? "OK" : "MISSED"}`,
    );

    // Offline checkout rate through the sale session (durable: synchronous=FULL, numbers reserved in blocks).
    const offline = await openRegister({
      paths,
      clock: systemClock,
      registerId: "SEA01-R1",
      stateStore: createMemoryStateStore(initialConnectionState(Date.now(), "offline-manual")),
    });
    const session = offline.newSession();
    await session.signIn("000160", "1234");
    const salesMs = await timeMsAsync(async () => {
      for (let i = 0; i < SALES; i++) {
        await session.addItem(String(1001 + (i % 300)));
        await session.pay("card");
      }
    });
    const saleRate = SALES / (salesMs / 1000);
    figure(
      "offline checkout through the sale session",
      saleRate,
      "sales/s",
      `target ≥ 2,000 ${saleRate >= 2000 ? "OK" : "MISSED"}`,
    );
    const floor = rawFullCommitRate(SALES);
    figure("raw synchronous=FULL commit of one sale row", floor, "commits/s");
    ratio("offline checkout / raw FULL commit", saleRate / floor, 0.5, true);
    // Top the queue up to PUSH pending sales, then push them.
    for (let i = SALES; i < PUSH; i++) {
      await session.addItem(String(1001 + (i % 300)));
      await session.pay("card");
    }
    await offline.close();
    const pusher = await openRegister({
      paths,
      clock: systemClock,
      registerId: "SEA01-R1",
      profile: { timeoutInterval: 60 },
    });
    let uploaded = 0;
    const pushMs = await timeMsAsync(async () => {
      const r = await push({ http: pusher.http, local: pusher.local, clock: systemClock, store: "SEA01" });
      uploaded = r.uploaded;
    });
    await pusher.close();
    const pushRate = uploaded / (pushMs / 1000);
    figure(
      `push of ${uploaded.toLocaleString("en-US")} pending transactions`,
      pushRate,
      "tx/s",
      `target ≥ 5,000 ${pushRate >= 5000 ? "OK" : "MISSED"}`,
    );
  } finally {
    cdx.close();
    await proxy.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
}
