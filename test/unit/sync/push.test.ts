import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Db } from "../../../src/lib/db.js";
import { OperationError, UnreachableError } from "../../../src/lib/errors.js";
import { createOfflineStore, type OfflineStore } from "../../../src/offline/offline-store.js";
import { openOfflineDatabase } from "../../../src/schema/offline.js";
import { push } from "../../../src/sync/push.js";
import { lastSyncLog } from "../../../src/sync/sync-log.js";
import { type FakeHttp, fakeHttp, refused } from "../../helpers/fake-http.js";
import { buildSale } from "../../helpers/server.js";

const NOW = Date.UTC(2026, 2, 1, 12);
const UPLOAD = "POST /v1/transactions/upload";

let db: Db;
let local: OfflineStore;
let clock: VirtualClock;
beforeEach(() => {
  db = openOfflineDatabase(":memory:");
  local = createOfflineStore(db);
  clock = new VirtualClock(NOW);
  db.exec("INSERT INTO stores VALUES ('SEA01', 'Seattle', 'USD', 2, 1, 30, 'DG1', NULL)");
});
afterEach(() => db.close());

function sell(seq: number, createdAt = "2026-03-01T10:00:00.000Z") {
  const id = `SEA01-R1-${String(seq).padStart(6, "0")}`;
  const wire = buildSale({
    id,
    store: "SEA01",
    register: "SEA01-R1",
    currency: "USD",
    decimals: 2,
    createdAt,
    mode: "offline",
    lines: [{ item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10 }],
  });
  local.saveTransaction(wire, seq, 1099, "pending", createdAt);
  return id;
}

const statuses = () =>
  Object.fromEntries(
    (db.prepare("SELECT id, status FROM transactions ORDER BY seq").all() as Array<{ id: string; status: string }>).map(
      (r) => [r.id, r.status],
    ),
  );

/** The server's answer to an upload: each id with the status the test gives it (stored by default). */
function uploads(http: FakeHttp, status: (id: string) => "stored" | "duplicate" | "conflict" | "rejected" | null) {
  http.route(UPLOAD, (body) => {
    const sent = (body as { transactions: Array<{ id: string }> }).transactions;
    const results = sent.flatMap((t) => {
      const s = status(t.id);
      return s ? [{ id: t.id, status: s, ...(s === "conflict" ? { message: "other content" } : {}) }] : [];
    });
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return {
      status: 200,
      body: {
        results,
        counts: {
          stored: count("stored"),
          duplicate: count("duplicate"),
          conflict: count("conflict"),
          rejected: count("rejected"),
        },
        receivedAt: new Date(NOW).toISOString(),
      },
    };
  });
}

const run = (http: FakeHttp, batchSize?: number) =>
  push({ http, local, clock, store: "SEA01", ...(batchSize ? { batchSize } : {}) });

describe("push", () => {
  it("uploads pending transactions in batches and marks each only after the server's answer", async () => {
    const ids = [1, 2, 3, 4, 5].map((n) => sell(n));
    const http = fakeHttp();
    uploads(http, (id) => (id === ids[1] ? "duplicate" : "stored"));
    const progress: Array<[number, number]> = [];
    const result = await push({
      http,
      local,
      clock,
      store: "SEA01",
      batchSize: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result).toMatchObject({ uploaded: 4, duplicates: 1, conflicts: [], pendingBefore: 5, pendingAfter: 0 });
    // Three batches of at most two, oldest first.
    const sent = http.requests.filter((r) => r.path === "/v1/transactions/upload");
    expect(sent.map((r) => (r.body as { transactions: Array<{ id: string }> }).transactions.map((t) => t.id))).toEqual([
      [ids[0], ids[1]],
      [ids[2], ids[3]],
      [ids[4]],
    ]);
    expect(progress).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(Object.values(statuses())).toEqual(["uploaded", "uploaded", "uploaded", "uploaded", "uploaded"]);
    expect(lastSyncLog(db, "upload")).toMatchObject({ result: "ok", transactions: 5 });
  });

  it("keeps a conflict locally with its message and never sends it again", async () => {
    const [a, b] = [sell(1), sell(2)];
    const http = fakeHttp();
    uploads(http, (id) => (id === b ? "conflict" : "stored"));
    const result = await run(http);
    expect(result.conflicts).toEqual([{ id: b, message: "409 TransactionConflict: other content" }]);
    expect(statuses()).toEqual({ [a as string]: "uploaded", [b as string]: "conflict" });
    expect(local.conflicts().map((c) => c.message)).toEqual(["409 TransactionConflict: other content"]);
    expect(lastSyncLog(db, "upload")).toMatchObject({ result: "failed" });

    const again = await run(http);
    expect(again).toMatchObject({ uploaded: 0, pendingBefore: 0 });
    expect(http.requests.filter((r) => r.path === "/v1/transactions/upload")).toHaveLength(1);
  });

  it("a transaction the server gave no result for stays pending and stops the round", async () => {
    const [a, b] = [sell(1), sell(2)];
    const http = fakeHttp();
    uploads(http, (id) => (id === a ? "stored" : null));
    const error = await run(http).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as Error).message).toMatch(/no result for 1 transaction\(s\) \(first SEA01-R1-000002\)/);
    expect(statuses()).toEqual({ [a as string]: "uploaded", [b as string]: "pending" });
    expect(lastSyncLog(db, "upload")).toMatchObject({ result: "failed" });
  });

  it("an unreachable server changes nothing: exit 3, everything stays pending", async () => {
    sell(1);
    const http = fakeHttp({
      [UPLOAD]: () => {
        throw refused("POST", "/v1/transactions/upload");
      },
    });
    const error = await run(http).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).fix).toMatch(/stay queued/);
    expect(local.pendingSummary().count).toBe(1);
    expect(lastSyncLog(db, "upload")?.result).toBe("failed");
  });

  it("an error answer is the server's own error; an answer without results is refused, not half-applied", async () => {
    sell(1);
    const http = fakeHttp({
      [UPLOAD]: () => ({ status: 500, body: { error: { code: "InternalError", message: "disk full" } } }),
    });
    const failed = await run(http).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      code: "InternalError",
      message: "upload transactions: disk full (http://127.0.0.1:1)",
      exitCode: 1,
    });
    expect(local.pendingSummary().count).toBe(1);

    http.route(UPLOAD, () => ({ status: 200, body: { counts: {} } }));
    const broken = await run(http).catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: "UnexpectedAnswer", exitCode: 1 });
    expect((broken as Error).message).toMatch(
      /answered POST \/v1\/transactions\/upload with an unexpected body: field results/,
    );
    expect(local.pendingSummary().count).toBe(1);
  });

  it("sends customers created offline first, as async customers HQ's job will create", async () => {
    const temp = local.createOfflineCustomer(
      "SEA01-R1",
      { name: "Ana Ruiz", phone: "555-0100" },
      "2026-03-01T09:00:00Z",
    );
    const http = fakeHttp({
      "POST /v1/customers/async": (body) => ({
        status: 200,
        body: {
          customers: (body as { customers: Array<{ tempId: string; name: string }> }).customers.map((c) => ({
            tempId: c.tempId,
            register: "SEA01-R1",
            store: "SEA01",
            name: c.name,
            status: "Pending",
            customerId: null,
            receivedAt: "2026-03-01T09:01:00Z",
            createdAt: null,
          })),
        },
      }),
    });
    uploads(http, () => "stored");
    expect((await run(http)).customers).toBe(1);
    expect(http.requests[0]).toMatchObject({
      path: "/v1/customers/async",
      body: { customers: [{ tempId: temp, name: "Ana Ruiz", email: null, phone: "555-0100" }] },
    });
    expect(db.prepare("SELECT status, hq_id FROM offline_customers WHERE temp_id = ?").get(temp)).toEqual({
      status: "uploaded",
      hq_id: null,
    });
    expect((await run(http)).customers).toBe(0);
  });

  it("purges confirmed transactions older than the store's days, never pending ones", async () => {
    const old = sell(1, "2026-01-01T10:00:00.000Z");
    const oldPending = sell(2, "2026-01-02T10:00:00.000Z");
    const recent = sell(3, "2026-02-28T10:00:00.000Z");
    const http = fakeHttp();
    uploads(http, (id) => (id === oldPending ? null : "stored"));
    await run(http).catch(() => undefined);
    // The round stopped at the unanswered one; a later round with an answer purges what is older than 30 days.
    uploads(http, () => "stored");
    db.prepare("UPDATE transactions SET status = 'pending' WHERE id = ?").run(oldPending);
    const result = await run(http);
    expect(result.purged).toBe(2);
    expect(Object.keys(statuses())).toEqual([recent]);
    expect(old).not.toBe(recent);
  });
});
