// The HqStore contract: the same cases against SQLite and a real PostgreSQL 15, so both engines behave alike.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Row } from "../../../src/schema/tables.js";
import { runUpload } from "../../../src/server/cdx/upload.js";
import { openChannelDatabase } from "../../../src/server/channel-db.js";
import { loadMasterData, type MasterData } from "../../../src/server/data.js";
import { PG_MIGRATIONS } from "../../../src/server/hq/pg-schema.js";
import { openPostgresHq } from "../../../src/server/hq/postgres.js";
import { openSqliteHq } from "../../../src/server/hq/sqlite.js";
import type { HqStore, HqTransactionRow } from "../../../src/server/hq/store.js";
import { HQ_MIGRATIONS } from "../../../src/server/hq-db.js";
import type { PackageChange } from "../../../src/sync/package/format.js";
import { readPackage } from "../../../src/sync/package/reader.js";
import { usePostgres } from "../../helpers/postgres.js";

const pg = usePostgres();
const dir = mkdtempSync(join(tmpdir(), "pos-hq-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clock = new VirtualClock(Date.UTC(2026, 0, 1, 9));
const NOW = "2026-01-01T09:00:00.000Z";

interface Opened {
  store: HqStore;
  /** The same HQ opened again (a restart). */
  reopen(): Promise<HqStore>;
  /** Rows as the engine stores them, integers as numbers. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

async function changesOf(file: string): Promise<PackageChange[]> {
  const changes: PackageChange[] = [];
  for await (const entry of readPackage(file)) if (entry.kind === "change") changes.push(entry.change);
  return changes;
}

const numbers = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^(0|[1-9]\d*)$/.test(v) ? Number(v) : v]),
    ),
  );

let seq = 0;
const engines: [string, () => Promise<Opened>][] = [
  [
    "SQLite",
    async () => {
      const file = join(dir, `hq-${++seq}.db`);
      const store = openSqliteHq(file);
      return {
        store,
        reopen: async () => openSqliteHq(file),
        rows: async (sql) => store.db.prepare(sql).all() as Record<string, unknown>[],
      };
    },
  ],
  [
    "PostgreSQL",
    async () => {
      const database = `contract_${++seq}`;
      const url = await pg().createDatabase(database);
      const store = await openPostgresHq(url);
      return {
        store,
        reopen: () => openPostgresHq(url),
        rows: async (sql) => numbers(await pg().query(sql, database)),
      };
    },
  ],
];

const stores: HqStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const product = (id: string, name = `product ${id}`) => ({ id, name, tax_group: "standard", unit: "ea", active: 1 });

const CHAIN: MasterData = {
  stores: ["A", "B"].map((id) => ({
    id,
    name: `Store ${id}`,
    currency: "USD",
    decimals: 2,
    offline_customer_creation: 1,
    days_transactions_exist: 30,
    data_group: "G",
  })),
  offline_profiles: [
    {
      id: "P",
      name: "Default",
      timeout_interval: 5,
      reconnect_interval: 1,
      allow_manual_offline_before_sign_in: 0,
      advanced_offline_switching: 0,
      health_check_interval: 1,
      pause_offline_sync: 0,
      download_interval: 60,
      upload_interval: 60,
    },
  ],
  registers: [
    {
      id: "A-R1",
      store_id: "A",
      name: "A 1",
      supports_offline: 1,
      offline_profile_id: "P",
      receipt_mask: "A-R1-######",
    },
    {
      id: "A-R2",
      store_id: "A",
      name: "A 2",
      supports_offline: 1,
      offline_profile_id: "P",
      receipt_mask: "A-R2-######",
    },
  ],
  staff: [{ id: "S1", name: "Sam", role: "cashier", password_hash: "x", stores: '["A"]', permissions: "[]" }],
  customers: [{ id: "004001", name: "Ada", email: null, phone: null, account_allowed: 1 }],
  products: [product("1")],
  prices: [
    { store_id: "A", product_id: "1", amount: 100 },
    { store_id: "B", product_id: "1", amount: 150 },
  ],
};

function transaction(store: string, n: number): HqTransactionRow {
  return {
    id: `${store}-R1-${String(n).padStart(6, "0")}`,
    store_id: store,
    register_id: `${store}-R1`,
    staff_id: "S1",
    customer_id: null,
    currency: "USD",
    total_minor: 100 + n,
    created_at: NOW,
    mode: n % 2 ? "online" : "offline",
    content_hash: `h${n}`,
    body: "{}",
    replication_counter: n,
  };
}

describe.each(engines)("HqStore on %s", (_engine, open) => {
  const opened = async (data?: MasterData): Promise<Opened> => {
    const o = await open();
    stores.push(o.store);
    if (data) await loadMasterData(o.store, data, clock);
    return o;
  };

  describe("migrations", () => {
    it("a new HQ is at the last version; opening it again is a no-op that keeps the data", async () => {
      const o = await opened(CHAIN);
      const version = await o.store.masterData.currentVersion();
      expect(version).toBe(1);
      const again = await o.reopen();
      stores.push(again);
      expect(await again.masterData.currentVersion()).toBe(1);
      expect(await again.state.get("fixtures_loaded_at")).toBe(NOW);
      if (o.store.engine === "postgres") {
        expect(await o.rows("SELECT version FROM pos_migrations ORDER BY version")).toEqual(
          PG_MIGRATIONS.map((_, i) => ({ version: i + 1 })),
        );
      } else {
        expect(await o.rows("PRAGMA user_version")).toEqual([{ user_version: HQ_MIGRATIONS.length }]);
      }
    });
  });

  describe("master data with change tracking", () => {
    it("gives every change one new version shared by its rows; an upsert updates in place", async () => {
      const o = await opened();
      const v1 = await o.store.masterData.change(async (w) => {
        await w.upsert("products", product("1"));
        await w.upsert("products", product("2"));
        return w.version;
      });
      const v2 = await o.store.masterData.change(async (w) => {
        await w.upsert("products", product("2", "renamed"));
        return w.version;
      });
      expect([v1, v2]).toEqual([1, 2]);
      expect(await o.store.masterData.find("products", { id: "1" })).toMatchObject({ change_version: 1 });
      expect(await o.store.masterData.find("products", { id: "2" })).toMatchObject({
        name: "renamed",
        change_version: 2,
      });
      expect(await o.rows("SELECT COUNT(*) AS n FROM products")).toEqual([{ n: 2 }]);
      expect(await o.store.masterData.currentVersion()).toBe(2);
      const since = await o.store.masterData.changesSince(1);
      expect(since.rows.products?.map((r) => r.id)).toEqual(["2"]);
      expect(since.tombstones).toEqual([]);
    });

    it("keeps a tombstone for a delete, drops it when the row comes back", async () => {
      const o = await opened();
      const md = o.store.masterData;
      await md.change((w) => w.upsert("prices", { store_id: "S", product_id: "1", amount: 100 }));
      expect(await md.change((w) => w.delete("prices", { store_id: "S", product_id: "1" }))).toBe(true);
      expect((await md.changesSince(1)).tombstones).toEqual([
        {
          table: "prices",
          key: { store_id: "S", product_id: "1" },
          row: { store_id: "S", product_id: "1", amount: 100 },
          changeVersion: 2,
        },
      ]);
      expect(await md.change((w) => w.delete("prices", { store_id: "S", product_id: "1" }))).toBe(false);
      await md.change((w) => w.upsert("prices", { store_id: "S", product_id: "1", amount: 120 }));
      expect((await md.changesSince(0)).tombstones).toEqual([]);
      expect((await md.changesSince(3)).rows.prices).toEqual([
        { store_id: "S", product_id: "1", amount: 120, change_version: 4 },
      ]);
    });

    it("records a departure when a row leaves a store, and drops it when it comes back", async () => {
      const o = await opened(CHAIN);
      const md = o.store.masterData;
      const { change_version: _v, ...sam } = (await md.find("staff", { id: "S1" })) as Row;
      await md.change((w) => w.upsert("staff", { ...sam, stores: '["B"]' }));
      expect((await md.changesSince(1)).departures).toEqual([
        { table: "staff", key: { id: "S1" }, store: "A", changeVersion: 2 },
      ]);
      await md.change((w) => w.upsert("staff", { ...sam, stores: '["A","B"]' }));
      expect((await md.changesSince(0)).departures).toEqual([]);
    });

    it("rolls a failed change back entirely, version included", async () => {
      const o = await opened();
      await expect(
        o.store.masterData.change(async (w) => {
          await w.upsert("products", product("1"));
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await o.store.masterData.currentVersion()).toBe(0);
      expect(await o.store.masterData.find("products", { id: "1" })).toBeUndefined();
    });

    it("two writers at once: the second waits for the first, versions follow commit order", async () => {
      const o = await opened();
      const md = o.store.masterData;
      const events: string[] = [];
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let firstBumped = () => {};
      const bumped = new Promise<void>((resolve) => {
        firstBumped = resolve;
      });
      const first = md.change(async (w) => {
        firstBumped();
        await gate;
        await w.upsert("products", product("first"));
        events.push(`first ${w.version}`);
        return w.version;
      });
      await bumped;
      const second = md.change(async (w) => {
        events.push(`second ${w.version}`);
        await w.upsert("products", product("second"));
        return w.version;
      });
      if (o.store.engine === "postgres") {
        // Observed, not timed: the second writer's backend waits on the counter row's lock.
        for (;;) {
          const [row] = await o.rows(
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
          );
          if (row?.n === 1) break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        // While the first is open a reader sees neither change: version n+1 is never visible before n.
        expect(await md.currentVersion()).toBe(0);
      }
      // (SQLite: one connection, so any other caller, a reader too, waits for the open transaction to end.)
      expect(events).toEqual([]);
      release();
      expect(await Promise.all([first, second])).toEqual([1, 2]);
      expect(events).toEqual(["first 1", "second 2"]);
      const since = await md.changesSince(0);
      expect(since.rows.products?.map((r) => [r.id, r.change_version])).toEqual([
        ["first", 1],
        ["second", 2],
      ]);
    });
  });

  describe("devices and tokens", () => {
    it("activates a register HQ knows; a new activation revokes the previous token", async () => {
      const o = await opened(CHAIN);
      const devices = o.store.devices;
      expect(await devices.activate("Z-R9", "h0", NOW)).toBeUndefined();
      expect(await devices.activate("A-R1", "h1", NOW)).toEqual({ store: "A", reactivated: false });
      expect(await devices.authenticate("h1")).toEqual({ register: "A-R1", store: "A" });
      expect(await devices.activate("A-R1", "h2", NOW)).toEqual({ store: "A", reactivated: true });
      expect(await devices.authenticate("h1")).toBeUndefined();
      expect(await devices.authenticate("h2")).toEqual({ register: "A-R1", store: "A" });
      expect(await o.rows("SELECT register_id, activations FROM devices")).toEqual([
        { register_id: "A-R1", activations: 2 },
      ]);
    });
  });

  describe("staff sign-in state", () => {
    it("counts failures made side by side, blocks at the limit, and only a clear lifts the block", async () => {
      const o = await opened(CHAIN);
      const logon = o.store.staffLogon;
      const results = await Promise.all(Array.from({ length: 5 }, () => logon.recordFailure("S1", NOW, 5)));
      expect(results.map((r) => r.failures).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(results.filter((r) => r.blocked)).toHaveLength(1);
      expect(await logon.find("S1")).toEqual({ failedAttempts: 5, blockedAt: NOW });
      expect(await logon.recordSuccess("S1")).toEqual({ blocked: true });
      expect(await logon.clear("S1")).toEqual({ failedAttempts: 5, blockedAt: NOW });
      expect(await logon.find("S1")).toBeUndefined();
      await logon.recordFailure("S1", NOW, 5);
      expect(await logon.recordSuccess("S1")).toEqual({ blocked: false });
      expect(await logon.find("S1")).toBeUndefined();
    });
  });

  describe("distribution", () => {
    it("download sessions: a shared package, strict order, try count, rerun, cancel back to the chain", async () => {
      const o = await opened(CHAIN);
      const d = o.store.distribution;
      const ds = o.store.downloadSessions;
      expect(await d.reconcileDatabases(NOW)).toEqual({
        created: ["A", "B", "A-R1-OFFLINE", "A-R2-OFFLINE"],
        removed: [],
      });
      expect(await d.reconcileDatabases(NOW)).toEqual({ created: [], removed: [] });
      const version = await o.store.masterData.currentVersion();
      const reserve = (fromVersion: number) =>
        d.reservePackage({
          job: "1040",
          firstDatabase: "A-R1-OFFLINE",
          full: fromVersion === 0,
          fromVersion,
          store: "A",
          createdAt: NOW,
          file: (id) => join(dir, `contract-${seq}-${id}.pkg`),
        });
      const first = await reserve(0);
      // Preparing: reserved for the header's id, never listed.
      expect(await ds.find(first.id)).toBeUndefined();
      const outcome = await d.writePackages([
        { session: first.id, job: "1040", database: "A", store: "A", full: true, fromVersion: 0, file: first.file },
      ]);
      if (!outcome.ok) throw new Error(outcome.message);
      expect(outcome.version).toBe(version);
      expect(outcome.written[0]?.rows).toEqual({ products: 1, prices: 1 });
      expect((await changesOf(first.file)).map((c) => [c.table, c.op])).toEqual([
        ["products", "upsert"],
        ["prices", "upsert"],
      ]);
      expect(readFileSync(first.file).length).toBe(outcome.written[0]?.size);
      const record = {
        session: first.id,
        file: first.file,
        job: "1040",
        store: "A",
        full: true,
        fromVersion: 0,
        databases: ["A-R1-OFFLINE", "A-R2-OFFLINE"],
        written: outcome.written[0],
      };
      const made = await d.recordPackages([record], outcome.version, NOW);
      expect(made).toMatchObject({ packages: 1, upToDate: 0, emptyFiles: [] });
      const [s1, s2] = made.sessions as [number, number];
      expect(await ds.find(s2)).toMatchObject({ status: "Available", package: s1, database: "A-R2-OFFLINE" });
      expect(await d.packagedVersion("A-R2-OFFLINE", "1040")).toBe(version);

      // A second package for A-R1: its Requested waits for the first session.
      await o.store.masterData.change((w) => w.upsert("prices", { store_id: "A", product_id: "1", amount: 110 }));
      const second = await reserve(version);
      const later = await d.recordPackages(
        [
          {
            ...record,
            session: second.id,
            file: second.file,
            fromVersion: version,
            full: false,
            databases: ["A-R1-OFFLINE"],
          },
        ],
        version + 1,
        NOW,
      );
      const [s3] = later.sessions as [number];
      expect((await ds.unfinished("A-R1-OFFLINE")).map((s) => s.id)).toEqual([s1, s3]);
      await expect(ds.report(s3, { status: "Requested" }, NOW)).rejects.toMatchObject({
        statusCode: 409,
        code: "SessionBlocked",
      });
      await expect(ds.report(s1, { status: "Applied" }, NOW)).rejects.toMatchObject({
        code: "InvalidSessionState",
      });
      await ds.report(s1, { status: "Requested" }, NOW);
      await ds.report(s1, { status: "Downloaded" }, NOW);
      expect(await ds.report(s1, { status: "Applied" }, NOW)).toMatchObject({
        status: "Applied",
        applied_at: NOW,
      });
      expect((await ds.blocking({ id: s3, database: "A-R1-OFFLINE" }))?.id).toBeUndefined();

      await d.writeTryCount(2);
      expect(await ds.report(s3, { status: "Apply failed", message: "x" }, NOW)).toMatchObject({ attempts: 1 });
      expect(await ds.report(s3, { status: "Apply failed", message: "y" }, NOW)).toMatchObject({
        status: "Suspended",
        attempts: 2,
      });
      expect(await d.rerunSession(s3)).toMatchObject({ status: "Available", attempts: 0 });
      const canceled = await d.cancelSession(s3, NOW);
      expect(canceled).toMatchObject({ changed: true, alsoCanceled: [], packagedVersion: version });
      expect(await d.packagedVersion("A-R1-OFFLINE", "1040")).toBe(version);
      expect((await ds.list({ database: "A-R1-OFFLINE" })).map((s) => [s.id, s.status])).toEqual([
        [s1, "Applied"],
        [s3, "Canceled"],
      ]);
      expect((await d.listDatabases()).find((x) => x.name === "A-R1-OFFLINE")).toMatchObject({
        versions: { "1040": version },
        pending: 0,
      });

      const stale = await reserve(0);
      expect(await d.dropUnfinishedRuns()).toEqual([stale.file]);
      expect(await ds.find(stale.id)).toBeUndefined();
    });

    it("packages a table larger than one fetch from one snapshot, every row once", async () => {
      const o = await opened(CHAIN);
      const many = Array.from({ length: 2_345 }, (_, i) => ({ store_id: "B", product_id: `p${i}`, amount: i }));
      await o.store.masterData.change(async (w) => {
        for (const row of many) await w.upsert("prices", row);
      });
      const d = o.store.distribution;
      const file = join(dir, `contract-big-${seq}.pkg`);
      const outcome = await d.writePackages([
        { session: 1, job: "1040", database: "B", store: "B", full: true, fromVersion: 0, file },
      ]);
      if (!outcome.ok) throw new Error(outcome.message);
      expect(outcome.written[0]?.rows).toEqual({ products: 1, prices: 2_346 });
      const ids = (await changesOf(file))
        .filter((c) => c.table === "prices")
        .map((c) => (c.op === "upsert" ? c.row.product_id : null));
      expect(new Set(ids).size).toBe(2_346);
    });
  });

  describe("uploads (P-0001)", () => {
    it("inserts in batches exactly once: a resent session inserts nothing; the high-water mark moves", async () => {
      const o = await opened(CHAIN);
      const up = o.store.uploads;
      const rows = Array.from({ length: 1_203 }, (_, i) => transaction("A", i + 1));
      const first = await up.begin({ store: "A", from: 0, to: 1_203, transactions: 1_203, at: NOW });
      expect(await up.get(first)).toMatchObject({ status: "Uploaded" });
      expect(await up.apply(first, "A", 1_203, rows, NOW)).toBe(1_203);
      expect(await up.progress("A")).toBe(1_203);
      const resend = await up.begin({ store: "A", from: 0, to: 1_203, transactions: 1_203, at: NOW });
      expect(await up.apply(resend, "A", 1_203, rows, NOW)).toBe(0);
      expect(await up.get(resend)).toMatchObject({ status: "Applied", inserted: 0, message: "1203 already at HQ" });
      expect(await up.countTransactions()).toBe(1_203);
      expect(
        await o.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, SUM(total_minor) AS total FROM hq_transactions"),
      ).toEqual([{ n: 1_203, d: 1_203, total: rows.reduce((sum, t) => sum + t.total_minor, 0) }]);
      expect((await up.list(10)).map((s) => s.id)).toEqual([first, resend]);
    });

    it("P-0001 from a channel database that keeps storing sales meanwhile: each sale reaches HQ once", async () => {
      const o = await opened(CHAIN);
      const channel = openChannelDatabase(join(dir, `channel-${seq}.db`));
      const insert = channel.prepare(
        `INSERT INTO transactions (id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
           received_at, mode, content_hash, body) VALUES (?, 'A', 'A-R1', 'S1', NULL, 'USD', ?, ?, ?, 'online', ?, '{}')`,
      );
      let n = 0;
      const sell = () => {
        n++;
        insert.run(`A-R1-${String(n).padStart(6, "0")}`, 100 + n, NOW, NOW, `h${n}`);
      };
      for (let i = 0; i < 2_000; i++) sell();
      try {
        let done = false;
        const upload = runUpload({ hq: o.store, clock, channels: new Map([["A", channel]]) }).finally(() => {
          done = true;
        });
        // Sales keep arriving while the upload reads the channel database and writes HQ.
        while (!done) {
          sell();
          await new Promise((resolve) => setImmediate(resolve));
        }
        // The session's range is fixed when it starts; what was sold after that waits for the next run.
        const [first] = await upload;
        const upper = first?.toCounter ?? 0;
        expect(upper).toBeGreaterThanOrEqual(2_000);
        expect(first).toMatchObject({ status: "Applied", fromCounter: 0, inserted: upper, transactions: upper });
        const [second] = await runUpload({ hq: o.store, clock, channels: new Map([["A", channel]]) });
        expect(second).toMatchObject({ status: "Applied", fromCounter: upper, toCounter: n, inserted: n - upper });
        expect(await o.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM hq_transactions")).toEqual([
          { n, d: n },
        ]);
      } finally {
        channel.close();
      }
    });

    it("a failed apply leaves nothing at HQ and the counter where it was", async () => {
      const o = await opened(CHAIN);
      const up = o.store.uploads;
      const id = await up.begin({ store: "A", from: 0, to: 2, transactions: 2, at: NOW });
      await expect(
        up.apply(id, "A", 2, [transaction("A", 1), transaction("A", 2)], NOW, () => {
          throw new Error("stopped");
        }),
      ).rejects.toThrow("stopped");
      await up.fail(id, "stopped");
      expect(await up.countTransactions()).toBe(0);
      expect(await up.progress("A")).toBe(0);
      const stuck = await up.begin({ store: "A", from: 0, to: 2, transactions: 2, at: NOW });
      expect(await up.reconcileInterrupted(NOW)).toEqual([{ id: stuck, status: "Apply failed" }]);
    });
  });

  describe("register-facing state", () => {
    it("async customers: stored once by temporary id, refused with other content, made real by the sync", async () => {
      const o = await opened(CHAIN);
      const ac = o.store.asyncCustomers;
      const device = { register: "A-R1", store: "A" };
      const upload = { tempId: "TMP-1", name: "Bo", email: null, phone: null, createdAt: NOW };
      await ac.receive(device, [upload], NOW);
      expect(await ac.receive(device, [upload], NOW)).toMatchObject([{ tempId: "TMP-1", status: "Pending" }]);
      await expect(ac.receive(device, [{ ...upload, name: "Other" }], NOW)).rejects.toMatchObject({ statusCode: 409 });
      const id = await o.store.uploads.begin({ store: "A", from: 0, to: 1, transactions: 1, at: NOW });
      await o.store.uploads.apply(id, "A", 1, [{ ...transaction("A", 1), customer_id: "TMP-1" }], NOW);
      const synced = await ac.sync(NOW);
      expect(synced).toEqual({ created: [{ tempId: "TMP-1", customerId: "004002" }], changeVersion: 2 });
      expect(await o.store.masterData.find("customers", { id: "004002" })).toMatchObject({ name: "Bo" });
      expect(await o.rows("SELECT customer_id FROM hq_transactions")).toEqual([{ customer_id: "004002" }]);
      expect(await ac.list("A-R1")).toMatchObject([{ status: "Created", customerId: "004002" }]);
    });

    it("register offline status: the last report per register, silent registers listed too", async () => {
      const o = await opened(CHAIN);
      const status = { mode: "offline" as const, manual: true, pendingCount: 3, dbSizeBytes: 4096 };
      await o.store.registerStatus.record({ register: "A-R1", store: "A" }, status, NOW);
      await o.store.registerStatus.record({ register: "A-R1", store: "A" }, { ...status, pendingCount: 4 }, NOW);
      expect(await o.store.registerStatus.reported()).toEqual([
        { register: "A-R1", store: "A", reportedAt: NOW, status: { ...status, pendingCount: 4 } },
      ]);
      expect((await o.store.registerStatus.all()).map((r) => [r.register, r.mode, r.pendingCount])).toEqual([
        ["A-R1", "offline", 4],
        ["A-R2", null, null],
      ]);
    });
  });
});

describe("HqStore on PostgreSQL: what SQLite has no counterpart for", () => {
  it("two servers starting at once on a new database migrate it once (advisory lock)", async () => {
    const url = await pg().createDatabase("contract_race");
    const both = await Promise.all([openPostgresHq(url), openPostgresHq(url)]);
    stores.push(...both);
    expect(await pg().query("SELECT version FROM pos_migrations ORDER BY version", "contract_race")).toEqual(
      PG_MIGRATIONS.map((_, i) => ({ version: i + 1 })),
    );
    expect(await Promise.all(both.map((s) => s.masterData.currentVersion()))).toEqual([0, 0]);
  });

  it("names where HQ lives without the password", async () => {
    const url = await pg().createDatabase("contract_location");
    const store = await openPostgresHq(url);
    stores.push(store);
    expect(store.location).toBe(`postgres://pos@127.0.0.1:${pg().port}/contract_location`);
  });
});

describe("HQ's schema on both engines", () => {
  it("has the same tables and columns (a SQLite migration without its PostgreSQL twin fails here)", async () => {
    const sqlite = openSqliteHq(join(dir, "schema.db"));
    stores.push(sqlite);
    const sqliteColumns = (
      sqlite.db
        .prepare(
          `SELECT m.name AS t, c.name AS c FROM sqlite_master m, pragma_table_info(m.name) c
           WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY t, c`,
        )
        .all() as { t: string; c: string }[]
    ).map((r) => `${r.t}.${r.c}`);
    await pg().createDatabase("contract_schema");
    const pgStore = await openPostgresHq(pg().url("contract_schema"));
    stores.push(pgStore);
    const pgColumns = (
      await pg().query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'pos_migrations'
         ORDER BY table_name COLLATE "C", column_name COLLATE "C"`,
        "contract_schema",
      )
    ).map((r) => `${r.t}.${r.c}`);
    expect(pgColumns).toEqual(sqliteColumns);
  });
});
