import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseVersion } from "../../../src/sync/package/apply.js";
import { admin, changesOf, run, sessionFor, setPrice } from "./cdx-helpers.js";
import { auth, createHarness, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const channel = (store: string) => {
  const db = h.opened.data.channels.get(store);
  if (!db) throw new Error(`no channel ${store}`);
  return db;
};

describe("start-up distribution", () => {
  it("fills each channel database with one full package per job, applied by the server itself", () => {
    const { distribution } = h.opened;
    expect(distribution.created).toEqual(["SEA01", "TYO01", "SEA01-R1-OFFLINE", "TYO01-R1-OFFLINE"]);
    expect(distribution.sessions.map((s) => [s.database, s.job, s.full, s.status])).toEqual(
      ["SEA01", "TYO01"].flatMap((db) =>
        ["1010", "1040", "1060", "1070", "1090"].map((job) => [db, job, true, "Applied"]),
      ),
    );
    const sea = channel("SEA01");
    expect(sea.prepare("SELECT COUNT(*) FROM applied_sessions").pluck().get()).toBe(5);
    expect(sea.prepare("SELECT DISTINCT store_id FROM prices").pluck().all()).toEqual(["SEA01"]);
    expect(sea.prepare("SELECT id FROM stores").pluck().all()).toEqual(["SEA01"]);
    expect(channel("TYO01").prepare("SELECT DISTINCT store_id FROM registers").pluck().all()).toEqual(["TYO01"]);
  });

  it("serves what the packages brought: the product lookup answers from the channel database", async () => {
    const token = await h.device("SEA01-R1");
    await setPrice(h, "1001", "SEA01", "12.49");
    const lookup = () => h.app.inject({ method: "GET", url: "/v1/products/1001", headers: auth(token) });
    expect((await lookup()).json().price).toBe(9.99);
    const answer = await run(h, "1040");
    expect(sessionFor(answer, "SEA01").status).toBe("Applied");
    expect((await lookup()).json().price).toBe(12.49);
  });
});

describe("incremental packages", () => {
  it("carries only the rows changed since the database's last package, filtered to its store", async () => {
    await run(h, "9999", { database: "SEA01-R1-OFFLINE" });
    await setPrice(h, "1001", "SEA01", "12.49");
    const answer = await run(h, "1040");
    const offline = sessionFor(answer, "SEA01-R1-OFFLINE");
    expect(offline).toMatchObject({ status: "Available", full: false, rows: { prices: 1 } });
    expect(await changesOf(offline)).toEqual([
      { table: "prices", op: "upsert", row: { store_id: "SEA01", product_id: "1001", amount: 1249 } },
    ]);
    // TYO01 had nothing new: no session is recorded for it, and its chain stays where it was.
    expect(answer.sessions.map((s) => s.database)).toEqual(["SEA01", "SEA01-R1-OFFLINE"]);
    // Both chains of SEA01 end at the same version: one package, two sessions.
    expect(answer).toMatchObject({ packages: 1, upToDate: 1 });
    expect(sessionFor(answer, "SEA01").package).toBe(offline.package);
    expect(answer.skipped).toEqual([
      { database: "TYO01-R1-OFFLINE", reason: expect.stringMatching(/pauseOfflineSync/) },
    ]);
    const again = await run(h, "1040");
    expect(again).toMatchObject({ sessions: [], packages: 0, upToDate: 3 });
  });

  it("sends deletes from tombstones to the stores the deleted rows belonged to", async () => {
    await run(h, "1040", { database: "SEA01-R1-OFFLINE" });
    const deleted = await admin(h, "DELETE", "/v1/admin/products/1001");
    expect(deleted.status).toBe(200);
    const answer = await run(h, "1040");
    const changes = await changesOf(sessionFor(answer, "SEA01-R1-OFFLINE"));
    expect(changes.every((c) => c.op === "delete")).toBe(true);
    expect(changes).toContainEqual({ table: "prices", op: "delete", key: { store_id: "SEA01", product_id: "1001" } });
    expect(changes).not.toContainEqual(expect.objectContaining({ key: { store_id: "TYO01", product_id: "1001" } }));
    expect(changes).toContainEqual({ table: "products", op: "delete", key: { id: "1001" } });
    expect(channel("TYO01").prepare("SELECT COUNT(*) FROM products WHERE id = '1001'").pluck().get()).toBe(0);
  });

  it("turns a row that left a store (staff store access) into a delete for that store only", async () => {
    const added = await admin(h, "POST", "/v1/admin/staff", {
      id: "000900",
      name: "Roamer",
      role: "cashier",
      password: "pw",
      stores: ["SEA01", "TYO01"],
    });
    expect(added.status).toBe(201);
    await run(h, "1060");
    expect(channel("SEA01").prepare("SELECT COUNT(*) FROM staff WHERE id = '000900'").pluck().get()).toBe(1);
    // Only HQ code can change store access today (no route), as an HR edit at HQ would.
    const hq = h.opened.data.hq;
    const { change_version: _v, ...row } = (await hq.masterData.find("staff", { id: "000900" })) ?? {};
    await hq.masterData.change((w) => w.upsert("staff", { ...row, stores: JSON.stringify(["TYO01"]) }));
    const answer = await run(h, "1060");
    expect(await changesOf(sessionFor(answer, "SEA01"))).toEqual([
      { table: "staff", op: "delete", key: { id: "000900" } },
    ]);
    expect((await changesOf(sessionFor(answer, "TYO01")))[0]).toMatchObject({ op: "upsert", table: "staff" });
    expect(channel("SEA01").prepare("SELECT COUNT(*) FROM staff WHERE id = '000900'").pluck().get()).toBe(0);
    expect(channel("TYO01").prepare("SELECT COUNT(*) FROM staff WHERE id = '000900'").pluck().get()).toBe(1);
    // Coming back: the departure is gone and the upsert carries the row again.
    await hq.masterData.change((w) => w.upsert("staff", { ...row, stores: JSON.stringify(["SEA01"]) }));
    const back = await run(h, "1060");
    expect((await changesOf(sessionFor(back, "SEA01"))).map((c) => c.op)).toEqual(["upsert"]);
    expect(channel("SEA01").prepare("SELECT COUNT(*) FROM staff WHERE id = '000900'").pluck().get()).toBe(1);
  });

  it("--full packages every row of the store and replaces the job's tables", async () => {
    channel("SEA01").prepare("INSERT INTO customers (id, name, account_allowed) VALUES ('STRAY', 'x', 0)").run();
    const answer = await run(h, "1010", { full: true, database: "SEA01" });
    expect(sessionFor(answer, "SEA01")).toMatchObject({ status: "Applied", full: true, rows: { customers: 30 } });
    expect(channel("SEA01").prepare("SELECT COUNT(*) FROM customers WHERE id = 'STRAY'").pluck().get()).toBe(0);
    expect(databaseVersion(channel("SEA01"), "1010")).toBe(sessionFor(answer, "SEA01").toVersion);
  });

  it.each([
    [{ job: "1234" }, /unknown job "1234"/],
    [{ job: "1040", database: "NOPE" }, /no channel database NOPE/],
    [{ job: "P-0001", full: true }, /P-0001/],
  ])("refuses %j with 400", async (body, message) => {
    const r = await admin(h, "POST", "/v1/admin/cdx/run", body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
  });
});

describe("channel databases", () => {
  it("creates an offline database when a register gets Supports offline, and its first run is full per job", async () => {
    await setPrice(h, "1001", "SEA01", "11.00");
    await setPrice(h, "1001", "SEA01", "12.00");
    const set = await admin(h, "PATCH", "/v1/admin/registers/SEA01-R2", { supportsOffline: true });
    expect(set.status).toBe(200);
    const answer = await run(h, "9999", { database: "SEA01-R2-OFFLINE" });
    expect(answer.sessions.map((s) => [s.job, s.full, s.status])).toEqual(
      ["1010", "1040", "1060", "1070", "1090"].map((job) => [job, true, "Available"]),
    );
    const off = await admin(h, "PATCH", "/v1/admin/registers/SEA01-R2", { supportsOffline: false });
    expect(off.status).toBe(200);
    const list = await admin(h, "GET", "/v1/admin/cdx/databases");
    const r2 = list.body.databases.find((d: { name: string }) => d.name === "SEA01-R2-OFFLINE");
    expect(r2).toMatchObject({ kind: "offline", dataGroup: "SEA-GROUP", removedAt: expect.any(String), pending: 0 });
    expect((await run(h, "1040")).sessions.map((s) => s.database)).not.toContain("SEA01-R2-OFFLINE");
    expect((await run(h, "1040", { database: "SEA01-R2-OFFLINE" })).skipped).toEqual([
      { database: "SEA01-R2-OFFLINE", reason: expect.stringMatching(/^removed/) },
    ]);
    // Re-added: a new database again, so full packages (its old chain is forgotten).
    await admin(h, "PATCH", "/v1/admin/registers/SEA01-R2", { supportsOffline: true });
    const again = await run(h, "1040", { database: "SEA01-R2-OFFLINE" });
    expect(again.sessions.map((s) => s.full)).toEqual([true]);
  });

  it("pause stops sessions for a database; resume catches up in one session per job", async () => {
    await run(h, "9999", { database: "SEA01-R1-OFFLINE" });
    const paused = await admin(h, "POST", "/v1/admin/cdx/databases/SEA01-R1-OFFLINE/pause", {});
    expect(paused.body.database).toMatchObject({ paused: true });
    for (const amount of ["11.00", "12.00", "13.00"]) {
      await setPrice(h, "1001", "SEA01", amount);
      const answer = await run(h, "1040");
      expect(answer.sessions.map((s) => s.database)).not.toContain("SEA01-R1-OFFLINE");
    }
    await admin(h, "POST", "/v1/admin/cdx/databases/SEA01-R1-OFFLINE/resume", {});
    const caught = await run(h, "9999", { database: "SEA01-R1-OFFLINE" });
    expect(caught.sessions.map((s) => [s.job, s.status])).toEqual([["1040", "Available"]]);
    expect(caught.upToDate).toBe(4);
    expect(await changesOf(sessionFor(caught, "SEA01-R1-OFFLINE", "1040"))).toEqual([
      { table: "prices", op: "upsert", row: { store_id: "SEA01", product_id: "1001", amount: 1300 } },
    ]);
  });

  it("pauseOfflineSync on the profile stops offline databases using it, not channel databases", async () => {
    const set = await admin(h, "PATCH", "/v1/admin/offline-profiles/DEFAULT", { pauseOfflineSync: true });
    expect(set.status).toBe(200);
    const answer = await run(h, "1070", { full: true });
    expect(answer.sessions.map((s) => s.database)).toEqual(["SEA01", "TYO01"]);
    expect(answer.skipped.map((s) => s.database)).toEqual(["SEA01-R1-OFFLINE", "TYO01-R1-OFFLINE"]);
  });
});

describe("distribution by data group", () => {
  it("writes one package per store, job and version, shared by the sessions of every database needing it", async () => {
    expect((await admin(h, "PATCH", "/v1/admin/registers/SEA01-R2", { supportsOffline: true })).status).toBe(200);
    const first = await run(h, "9999");
    // SEA01-R1 and SEA01-R2 are new: full packages, one per job, shared. The channel databases are up to date
    // but for SEA01's registers (job 1090), which the Supports offline edit changed.
    expect(first).toMatchObject({ packages: 6, upToDate: 9 });
    expect(sessionFor(first, "SEA01")).toMatchObject({ job: "1090", full: false, rows: { registers: 1 } });
    const r1 = first.sessions.filter((s) => s.database === "SEA01-R1-OFFLINE");
    const r2 = first.sessions.filter((s) => s.database === "SEA01-R2-OFFLINE");
    expect(r1.map((s) => s.job)).toEqual(["1010", "1040", "1060", "1070", "1090"]);
    r1.forEach((one, i) => {
      const other = r2[i];
      expect(other).toMatchObject({
        job: one.job,
        file: one.file,
        sha256: one.sha256,
        package: one.package,
        packageScope: "SEA01",
      });
      expect(other?.id).not.toBe(one.id);
    });
    // Each session keeps its own status: one database's failure does not touch the other's session.
    const failed = await admin(h, "POST", `/v1/sync/sessions/${r1[0]?.id}/status`, {
      status: "Apply failed",
      message: "x",
    });
    expect(failed.body.session).toMatchObject({ status: "Apply failed", attempts: 1 });
    const other = await admin(h, "GET", `/v1/sync/sessions/${r2[0]?.id}`);
    expect(other.body.session).toMatchObject({ status: "Available", attempts: 0 });

    await setPrice(h, "1001", "SEA01", "12.49");
    const next = await run(h, "1040");
    // The channel database's chain ends elsewhere (start-up), so it gets its own package; R1 and R2 share one.
    expect(next).toMatchObject({ packages: 2, upToDate: 1 });
    const [a, b] = [sessionFor(next, "SEA01-R1-OFFLINE"), sessionFor(next, "SEA01-R2-OFFLINE")];
    expect(a.package).toBe(b.package);
    expect(sessionFor(next, "SEA01").package).not.toBe(a.package);
  });

  it("a shared package applies in each database that downloads it (header id and scope are the package's)", async () => {
    const { openOfflineDatabase } = await import("../../../src/schema/offline.js");
    const { applyPackage } = await import("../../../src/sync/package/apply.js");
    expect((await admin(h, "PATCH", "/v1/admin/registers/SEA01-R2", { supportsOffline: true })).status).toBe(200);
    const answer = await run(h, "1040");
    for (const name of ["SEA01-R1-OFFLINE", "SEA01-R2-OFFLINE"]) {
      const session = sessionFor(answer, name);
      const db = openOfflineDatabase(`${h.dir}/${name}.db`);
      try {
        const applied = await applyPackage(
          db,
          session.file ?? "",
          {
            session: session.package ?? 0,
            job: "1040",
            database: session.packageScope ?? "",
            size: session.size,
            sha256: session.sha256,
          },
          { now: "2026-01-01T09:00:00.000Z" },
        );
        expect(applied).toMatchObject({ alreadyApplied: false, full: true });
        expect(db.prepare("SELECT COUNT(*) FROM prices").pluck().get()).toBe(320);
      } finally {
        db.close();
      }
    }
  });
});
