import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../../src/lib/db.js";
import { createOfflineStore } from "../../../src/offline/offline-store.js";
import { offlineMigrations, openOfflineDatabase } from "../../../src/schema/offline.js";
import { TABLE_NAMES, TABLES } from "../../../src/schema/tables.js";
import { TARGET_MIGRATIONS } from "../../../src/schema/target.js";
import { openChannelDatabase } from "../../../src/server/channel-db.js";
import { openHqDatabase } from "../../../src/server/hq-db.js";
import { lastSyncLog } from "../../../src/sync/sync-log.js";

const FIXTURES = new URL("../../fixtures/schema/", import.meta.url);

const open: Db[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const keep = (db: Db) => {
  open.push(db);
  return db;
};

/** Columns as SQLite reports them: name → "TYPE" or "TYPE NOT NULL". */
function columnsOf(db: Db, table: string): Record<string, string> {
  const info = db.pragma(`table_info(${table})`) as Array<{ name: string; type: string; notnull: number }>;
  return Object.fromEntries(info.map((c) => [c.name, c.notnull ? `${c.type} NOT NULL` : c.type]));
}

/** What TABLES declares for a table, in the same shape (HQ adds change_version). */
function declared(table: (typeof TABLE_NAMES)[number], changeVersion: boolean): Record<string, string> {
  const def = TABLES[table];
  const columns = Object.entries(def.columns).map(([name, type]) => [
    name,
    def.nullable?.includes(name) ? type : `${type} NOT NULL`,
  ]);
  if (changeVersion) columns.push(["change_version", "INTEGER NOT NULL"]);
  return Object.fromEntries(columns);
}

describe("frozen migrations", () => {
  it("target migration 1 is literal SQL for the master-data tables and applied_sessions", () => {
    expect(TARGET_MIGRATIONS).toHaveLength(1);
    const sql = TARGET_MIGRATIONS[0] ?? "";
    for (const table of TABLE_NAMES) expect(sql).toContain(`CREATE TABLE IF NOT EXISTS ${table} (`);
    expect(sql).toContain("CREATE TABLE IF NOT EXISTS applied_sessions (");
    expect(sql).not.toContain("change_version");
  });

  // Editing TABLES without a new migration would make packages and databases disagree: this catches it.
  it.each([
    ["offline", () => openOfflineDatabase(":memory:"), false],
    ["channel", () => openChannelDatabase(":memory:"), false],
    ["hq", () => openHqDatabase(":memory:"), true],
  ] as const)("the migrated %s database has exactly the columns TABLES declares", (_name, openDb, changeVersion) => {
    const db = keep(openDb());
    for (const table of TABLE_NAMES) expect(columnsOf(db, table), table).toEqual(declared(table, changeVersion));
  });
});

describe("upgrading an offline.db written by pos 0.1.0", () => {
  function oldRegisterDatabase(): string {
    const dir = mkdtempSync(join(tmpdir(), "pos-schema-"));
    dirs.push(dir);
    const file = join(dir, "offline.db");
    const raw = new Database(file);
    raw.exec(readFileSync(new URL("offline-0.1.0.sql", FIXTURES), "utf8"));
    raw.close();
    return file;
  }

  it("migrates to the current version and keeps every row usable", () => {
    const file = oldRegisterDatabase();
    const db = keep(openOfflineDatabase(file));
    expect(db.pragma("user_version", { simple: true })).toBe(offlineMigrations().length);
    const local = createOfflineStore(db);

    // Master data still sells: barcode lookup, store price and tax rate.
    expect(local.findProduct("S1", "4006381333931")).toEqual({
      id: "P100",
      name: "Coffee beans 1kg",
      taxGroup: "STD",
      taxRatePpm: 103500,
      unitPrice: 1999,
    });
    expect(local.staff("000160")?.stores).toEqual(["S1"]);
    expect(local.logonFailures("000170")).toEqual({ failures: 2, blockedAt: null });

    // The upload queue is intact: one pending sale, one conflict, the uploaded one is not resent.
    expect(local.pendingSummary()).toEqual({ count: 1, oldest: "2026-11-25T18:12:00.000Z" });
    expect(local.pending(10).map((t) => t.id)).toEqual(["S1-R1-00002"]);
    expect(local.conflicts().map((t) => t.id)).toEqual(["S1-R1-00003"]);
    expect(lastSyncLog(db, "download")?.result).toBe("ok");

    // Numbering continues after the old reservation: no transaction number is handed out twice.
    expect(local.reserveNumbers("S1-R1", 10)).toEqual({ first: 101, last: 110 });
  });

  it("opens an already upgraded file again without changing it", () => {
    const file = oldRegisterDatabase();
    keep(openOfflineDatabase(file)).close();
    open.pop();
    const db = keep(openOfflineDatabase(file));
    expect(db.pragma("user_version", { simple: true })).toBe(offlineMigrations().length);
    expect(createOfflineStore(db).pendingSummary().count).toBe(1);
  });
});
