// The Connection status window from a real offline database: registerStatus reads it, the renderer shows it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chalk } from "chalk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import { createPaths, type Paths } from "../../../src/lib/paths.js";
import { createOfflineStore } from "../../../src/offline/offline-store.js";
import { writeRegisterConfig } from "../../../src/register/config.js";
import { disconnectRegister, registerStatus } from "../../../src/register/status.js";
import { openOfflineDatabase } from "../../../src/schema/offline.js";
import { finishSyncLog, startSyncLog } from "../../../src/sync/sync-log.js";
import { renderConnectionStatus } from "../../../src/ui/connection-status.js";
import { buildSale } from "../../helpers/server.js";

const plain = new Chalk({ level: 0 });
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

let dir: string;
let paths: Paths;
let clock: VirtualClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pos-status-unit-"));
  paths = createPaths(dir);
  clock = new VirtualClock(T0);
  writeRegisterConfig(paths, {
    format: "pos-register/1",
    registerId: "SEA01-R1",
    store: "SEA01",
    // Nothing listens on port 1: a probe is refused at once.
    serverUrl: "http://127.0.0.1:1",
    deviceToken: "t".repeat(32),
    supportsOffline: true,
    database: "SEA01-R1-OFFLINE",
    provisionedAt: iso(T0 - 3_600_000),
  });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fillDatabase() {
  const db = openOfflineDatabase(paths.offlineDb("SEA01-R1"));
  try {
    const download = startSyncLog(db, "download", iso(T0 - 600_000));
    finishSyncLog(db, download, "ok", iso(T0 - 598_000), null, { sessions: 2, rows: 1200, bytes: 30_000 });
    const upload = startSyncLog(db, "upload", iso(T0 - 120_000));
    finishSyncLog(db, upload, "failed", iso(T0 - 119_000), "server refused the connection");
    const applied = db.prepare(
      `INSERT INTO applied_sessions (session, job, database, full, from_version, to_version, rows, sha256, applied_at)
       VALUES (?, ?, 'SEA01-R1-OFFLINE', 1, 0, ?, '{}', 'x', ?)`,
    );
    applied.run(1, "1040", 100, iso(T0 - 700_000));
    applied.run(2, "1060", 110, iso(T0 - 650_000));
    applied.run(3, "1040", 140, iso(T0 - 600_000));
    const local = createOfflineStore(db);
    const sale = buildSale({
      id: "SEA01-R1-000007",
      store: "SEA01",
      register: "SEA01-R1",
      currency: "USD",
      decimals: 2,
      lines: [{ item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
      createdAt: iso(T0 - 300_000),
      mode: "offline",
    });
    local.saveTransaction(sale, 7, 1102, "pending", iso(T0 - 300_000));
  } finally {
    db.close();
  }
}

describe("registerStatus", () => {
  it("reads mode, sync attempts, pending uploads, jobs and database health without a server", async () => {
    fillDatabase();
    const status = await registerStatus({ paths, clock, registerId: "SEA01-R1", probe: false });
    expect(status).toMatchObject({
      register: "SEA01-R1",
      mode: "online",
      since: iso(T0 - 3_600_000),
      button: "Disconnect",
      server: null,
      lastDownload: { result: "ok", sessions: 2, rows: 1200, bytes: 30_000, ageMs: 598_000 },
      lastUpload: { result: "failed", message: "server refused the connection", ageMs: 119_000 },
      pending: { count: 1, oldest: iso(T0 - 300_000), oldestAgeMs: 300_000 },
      conflicts: 0,
      jobs: [
        { job: "1040", session: 3, toVersion: 140, ageMs: 600_000 },
        { job: "1060", session: 2, toVersion: 110, ageMs: 650_000 },
      ],
      database: { exists: true, integrity: "ok" },
    });
    expect(status.database.sizeBytes).toBeGreaterThan(0);
    const text = renderConnectionStatus(status, plain);
    expect(text).toMatch(/last upload\s+failed .* — server refused the connection/);
    expect(text).toMatch(/pending uploads\s+1 \(oldest 5m 0s ago\)/);
  });

  it("treats an unreachable server as data, not as an error", async () => {
    const status = await registerStatus({ paths, clock, registerId: "SEA01-R1", probe: true });
    expect(status.server).toMatchObject({ reachable: false, outcome: "server refused the connection", status: null });
    expect(status.database).toMatchObject({ exists: false, integrity: "missing", sizeBytes: 0 });
    expect(status.lastDownload).toBeNull();
  });

  it("refuses operation 917 Disconnect when the offline database cannot sell, and stays online", async () => {
    fillDatabase();
    // The offline database must be able to sell before a manual disconnect is allowed (D365's checks).
    await expect(disconnectRegister({ paths, clock, registerId: "SEA01-R1" })).rejects.toMatchObject({
      code: "ChannelConfigurationNotFound",
    });
    const status = await registerStatus({ paths, clock, registerId: "SEA01-R1", probe: false });
    expect(status).toMatchObject({ mode: "online", button: "Disconnect" });
  });
});
