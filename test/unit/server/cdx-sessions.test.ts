import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeTryCount } from "../../../src/server/schedules/settings.js";
import { writePackage } from "../../../src/sync/package/writer.js";
import { buildSale } from "../../helpers/server.js";
import { admin, run, sessionFor, setPrice } from "./cdx-helpers.js";
import { auth, createHarness, type Harness } from "./harness.js";

let h: Harness;
let r1: string;
beforeEach(async () => {
  h = await createHarness();
  r1 = await h.device("SEA01-R1");
});
afterEach(async () => {
  await h.close();
});

const OFFLINE = "SEA01-R1-OFFLINE";
const device = async (method: "GET" | "POST", url: string, payload?: unknown, token = r1) => {
  const r = await h.app.inject({
    method,
    url,
    headers: auth(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  const json = r.headers["content-type"]?.toString().startsWith("application/json");
  const body = (json ? r.json() : {}) as { session?: { status: string; attempts: number } };
  return { status: r.statusCode, body, raw: r };
};
const report = (id: number, status: string, message?: string) =>
  device("POST", `/v1/sync/sessions/${id}/status`, message === undefined ? { status } : { status, message });
const fail = async (id: number, times: number) => {
  let last: Awaited<ReturnType<typeof report>> | undefined;
  for (let i = 0; i < times; i++) {
    await report(id, "Requested");
    last = await report(id, "Apply failed", "package checksum mismatch");
  }
  return last?.body.session;
};
/** A first full 1040 package, then one incremental session per price change. */
const offlineSessions = async (changes: number) => {
  const ids = [sessionFor(await run(h, "1040", { database: OFFLINE }), OFFLINE).id];
  for (let i = 0; i < changes; i++) {
    await setPrice(h, "1001", "SEA01", `${20 + i}.00`);
    ids.push(sessionFor(await run(h, "1040", { database: OFFLINE }), OFFLINE).id);
  }
  return ids;
};

describe("session routes", () => {
  it("lets a device see and fetch only its own register's database", async () => {
    const [id] = await offlineSessions(0);
    const own = await device("GET", `/v1/sync/sessions?database=${OFFLINE}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ sessions: [{ id, status: "Available", full: true }] });
    expect((await device("GET", "/v1/sync/sessions?database=SEA01")).status).toBe(403);
    expect((await admin(h, "GET", "/v1/sync/sessions?database=SEA01")).body.sessions).toHaveLength(5);
    const other = await h.device("TYO01-R1");
    expect((await device("GET", `/v1/sync/sessions/${id}/package`, undefined, other)).status).toBe(403);
    expect((await device("POST", `/v1/sync/sessions/${id}/status`, { status: "Requested" }, other)).status).toBe(403);
    const pkg = await device("GET", `/v1/sync/sessions/${id}/package`);
    const session = (await admin(h, "GET", `/v1/admin/cdx/sessions?database=${OFFLINE}`)).body.sessions[0];
    expect(pkg.status).toBe(200);
    expect(pkg.raw.headers["x-sha256"]).toBe(session.sha256);
    expect(Number(pkg.raw.headers["content-length"])).toBe(session.size);
    expect(createHash("sha256").update(pkg.raw.rawPayload).digest("hex")).toBe(session.sha256);
  });

  it("serves the rest of a package for Range: bytes=N- while If-Range names its SHA-256", async () => {
    const [id] = await offlineSessions(0);
    const url = `/v1/sync/sessions/${id}/package`;
    const get = (headers: Record<string, string>) =>
      h.app.inject({ method: "GET", url, headers: { ...auth(r1), ...headers } });
    const whole = await get({});
    const sha = createHash("sha256").update(whole.rawPayload).digest("hex");
    expect(whole.headers).toMatchObject({ etag: `"${sha}"`, "accept-ranges": "bytes" });
    const size = whole.rawPayload.length;

    const rest = await get({ range: "bytes=100-", "if-range": `"${sha}"` });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers["content-range"]).toBe(`bytes 100-${size - 1}/${size}`);
    expect(Number(rest.headers["content-length"])).toBe(size - 100);
    expect(Buffer.concat([whole.rawPayload.subarray(0, 100), rest.rawPayload]).equals(whole.rawPayload)).toBe(true);

    // Another package than the one the held bytes came from: the whole package, from the start.
    const changed = await get({ range: "bytes=100-", "if-range": `"${"0".repeat(64)}"` });
    expect([changed.statusCode, changed.rawPayload.length]).toEqual([200, size]);
    // Forms the register never sends are ignored: the whole package.
    for (const range of ["bytes=0-10", "bytes=-5", "items=3-"]) {
      expect((await get({ range })).statusCode).toBe(200);
    }
    const past = await get({ range: `bytes=${size}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers["content-range"]).toBe(`bytes */${size}`);
    expect(past.json()).toMatchObject({ error: { code: "RangeNotSatisfiable" } });
  });

  it("walks Requested → Downloaded → Applied and refuses steps out of order", async () => {
    const [id] = (await offlineSessions(0)) as [number];
    expect((await report(id, "Downloaded")).status).toBe(409);
    expect((await report(id, "Requested")).body.session).toMatchObject({ status: "Requested" });
    expect((await report(id, "Downloaded")).body.session).toMatchObject({ status: "Downloaded" });
    expect((await report(id, "Applied")).body.session).toMatchObject({ status: "Applied" });
    expect((await report(id, "Applied")).status).toBe(200);
    expect((await report(id, "Apply failed", "late")).status).toBe(409);
    expect((await report(id, "Sideways")).status).toBe(400);
    expect((await report(999_999, "Requested")).status).toBe(404);
  });

  it("suspends after the try count set at HQ (pos cdx try-count), not always three", async () => {
    await writeTryCount(h.opened.data.hq, 4);
    const [first] = (await offlineSessions(0)) as [number];
    expect(await fail(first, 3)).toMatchObject({ status: "Apply failed", attempts: 3 });
    expect(await fail(first, 1)).toMatchObject({ status: "Suspended", attempts: 4 });
  });

  it("suspends after three failed attempts and blocks later sessions until rerun", async () => {
    const [first, second] = (await offlineSessions(1)) as [number, number];
    expect(await fail(first, 2)).toMatchObject({ status: "Apply failed", attempts: 2 });
    expect(await fail(first, 1)).toMatchObject({ status: "Suspended", attempts: 3 });
    const blocked = await device("GET", `/v1/sync/sessions/${second}/package`);
    expect(blocked.status).toBe(409);
    expect(JSON.stringify(blocked.body)).toMatch(new RegExp(`waits for session ${first}`));
    expect((await report(second, "Requested")).status).toBe(409);
    expect((await device("GET", `/v1/sync/sessions/${first}/package`)).status).toBe(409);
    const rerun = await admin(h, "POST", `/v1/admin/cdx/sessions/${first}/rerun`, {});
    expect(rerun.body.session).toMatchObject({ status: "Available", attempts: 0 });
    for (const status of ["Requested", "Downloaded", "Applied"]) await report(first, status);
    expect((await device("GET", `/v1/sync/sessions/${second}/package`)).status).toBe(200);
  });

  it("cancel takes later sessions of the same job with it, and the next run re-packages their rows", async () => {
    const [full, , second] = (await offlineSessions(2)) as [number, number, number];
    for (const status of ["Requested", "Downloaded", "Applied"]) await report(full, status);
    const other = sessionFor(await run(h, "1060", { database: OFFLINE }), OFFLINE);
    const canceled = await admin(h, "POST", `/v1/admin/cdx/sessions/${second - 1}/cancel`, {});
    expect(canceled.body).toMatchObject({ alsoCanceled: [second], session: { status: "Canceled" } });
    const fullVersion = canceled.body.packagedVersion as number;
    expect(fullVersion).toBeGreaterThan(0);
    // The other job's session is not part of the 1040 chain and stays.
    expect((await admin(h, "GET", `/v1/admin/cdx/sessions?database=${OFFLINE}&job=1060`)).body.sessions).toEqual([
      expect.objectContaining({ id: other.id, status: "Available" }),
    ]);
    const next = sessionFor(await run(h, "1040", { database: OFFLINE }), OFFLINE);
    expect(next).toMatchObject({ full: false, fromVersion: fullVersion, rows: { prices: 1 } });
    // Canceling it again is done already: 200, nothing changed.
    const again = await admin(h, "POST", `/v1/admin/cdx/sessions/${second}/cancel`, {});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ session: { id: second, status: "Canceled" }, alsoCanceled: [], changed: false });
  });

  it("canceling a database's first (full) package makes the next run full again", async () => {
    const [full] = (await offlineSessions(0)) as [number];
    const canceled = await admin(h, "POST", `/v1/admin/cdx/sessions/${full}/cancel`, {});
    expect(canceled.body.packagedVersion).toBeNull();
    expect(sessionFor(await run(h, "1040", { database: OFFLINE }), OFFLINE).full).toBe(true);
  });
});

describe("the server's own channel databases", () => {
  it("refuses a package whose fromVersion skips (version gap) and applies nothing", async () => {
    const hq = h.hqDb;
    await setPrice(h, "1001", "SEA01", "31.00");
    await admin(h, "POST", "/v1/admin/cdx/databases/SEA01/pause", {});
    const answer = await run(h, "1040", { database: "SEA01" });
    expect(answer.skipped).toHaveLength(1);
    await admin(h, "POST", "/v1/admin/cdx/databases/SEA01/resume", {});
    // A session that starts after a change the channel database never got.
    const id = Number(
      hq
        .prepare(
          `INSERT INTO download_sessions (job, database, status, full, from_version, to_version, created_at)
           VALUES ('1040', 'SEA01', 'Available', 0, 999, 1000, 'now')`,
        )
        .run().lastInsertRowid,
    );
    const file = `${h.dir}/gap.pkg`;
    const header = { session: id, job: "1040", database: "SEA01", full: false, fromVersion: 999, toVersion: 1000 };
    const row = { store_id: "SEA01", product_id: "1001", amount: 4242 };
    const written = await writePackage(file, header, [{ table: "prices", op: "upsert", row }]);
    hq.prepare("UPDATE download_sessions SET file = ?, size = ?, sha256 = ?, rows_json = ? WHERE id = ?").run(
      file,
      written.size,
      written.sha256,
      JSON.stringify(written.rows),
      id,
    );
    const [sea] = await h.opened.data.cdx.applyChannels();
    expect(sea?.sessions).toEqual([expect.objectContaining({ id, status: "Apply failed" })]);
    expect(sea?.sessions[0]?.message).toMatch(/version gap/);
    const channel = h.opened.data.channels.get("SEA01");
    expect(channel?.prepare("SELECT amount FROM prices WHERE product_id = '1001'").pluck().get()).toBe(999);
  });

  it("records a corrupted package as Apply failed (checksum), then Suspended on the third try", async () => {
    const hq = h.opened.data.hq;
    await setPrice(h, "1001", "SEA01", "32.00");
    // runDownload makes the session without applying it (as with --channel-download-interval): break it first.
    const { runDownload } = await import("../../../src/server/cdx/schedule.js");
    const made = await runDownload(
      { hq, clock: h.clock, packagesDir: h.opened.data.packagesDir },
      { job: "1040", database: "SEA01" },
    );
    const broken = made.sessions[0];
    if (!broken?.file) throw new Error("no session with a package");
    const bytes = readFileSync(broken.file);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    writeFileSync(broken.file, bytes);
    for (const [attempts, status] of [
      [1, "Apply failed"],
      [2, "Apply failed"],
      [3, "Suspended"],
    ] as const) {
      const [sea] = await h.opened.data.cdx.applyChannels();
      expect(sea?.sessions[0]).toMatchObject({ id: broken.id, status, attempts });
      expect(sea?.sessions[0]?.message).toMatch(/checksum/);
    }
    const channel = h.opened.data.channels.get("SEA01");
    expect(channel?.prepare("SELECT amount FROM prices WHERE product_id = '1001'").pluck().get()).toBe(999);
  });
});

describe("P-0001", () => {
  it("uploads each channel transaction to HQ once; a second run sends nothing", async () => {
    const sale = (seq: number) =>
      buildSale({
        id: `SEA01-R1-${String(seq).padStart(6, "0")}`,
        store: "SEA01",
        register: "SEA01-R1",
        currency: "USD",
        decimals: 2,
        lines: [{ item: "1001", qty: 1, price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
      });
    for (const seq of [1, 2, 3]) {
      const r = await device("POST", "/v1/transactions", sale(seq));
      expect(r.status).toBe(201);
    }
    const first = await run(h, "P-0001");
    expect(first.uploads.map((u) => [u.database, u.status, u.transactions, u.inserted])).toEqual([
      ["SEA01", "Applied", 3, 3],
      ["TYO01", "Applied", 0, 0],
    ]);
    const second = await run(h, "P-0001");
    expect(second.uploads.map((u) => u.transactions)).toEqual([0, 0]);
    await device("POST", "/v1/transactions", sale(4));
    expect((await run(h, "P-0001", { database: "SEA01" })).uploads).toEqual([
      expect.objectContaining({ transactions: 1, fromCounter: 3, toCounter: 4 }),
    ]);
    expect(h.hqDb.prepare("SELECT COUNT(*) FROM hq_transactions").pluck().get()).toBe(4);
    const listed = await admin(h, "GET", "/v1/admin/cdx/upload-sessions");
    expect(listed.body).toMatchObject({ hqTransactions: 4, conflicts: [] });
    expect(listed.body.sessions).toHaveLength(5);
  });
});
