// The rules of server roles: which options make a store server, P-0001 pushes HQ accepts, the store's own tokens.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/lib/errors.js";
import type { ApiError } from "../../../src/server/api-error.js";
import { planRole } from "../../../src/server/roles.js";
import { checkPush } from "../../../src/server/routes/store-link.js";
import { openStoreLocal } from "../../../src/server/store/local.js";

const store = { role: "store", stores: "SEA01", hq: "http://hq:7100/", hqTokenFile: "t" };

describe("planRole", () => {
  it("defaults to all; hq and all take no store options", () => {
    expect(planRole({}, {})).toEqual({ role: "all" });
    expect(planRole({ role: "hq", database: "postgres://x/y" }, {})).toEqual({ role: "hq" });
    expect(() => planRole({ role: "all", hq: "http://x" }, {})).toThrow("--hq: only for --role store");
    expect(() => planRole({ role: "hq", hqInterval: "5" }, {})).toThrow("--hq-interval: only for --role store");
  });

  it("a store server: its stores (deduplicated), HQ's URL without a trailing slash, the token's source, the interval", () => {
    expect(planRole({ ...store, stores: "SEA01, TYO01,SEA01" }, {})).toEqual({
      role: "store",
      stores: ["SEA01", "TYO01"],
      hqUrl: "http://hq:7100",
      token: { file: "t" },
      intervalSec: 10,
    });
    const { hqTokenFile: _file, ...noFile } = store;
    expect(planRole({ ...noFile, hqInterval: "0" }, { POS_HQ_TOKEN: "x" })).toMatchObject({
      token: { env: "POS_HQ_TOKEN" },
      intervalSec: 0,
    });
  });

  it("refuses, as usage errors naming the option, what cannot make a store server", () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ role: "shop" }, "--role: expected all, hq, store"],
      [{ ...store, stores: undefined }, "--role store needs --stores"],
      [{ ...store, stores: "SEA01,../x" }, '--stores: "../x" is not a store id'],
      [{ ...store, hq: undefined }, "--role store needs --hq"],
      [{ ...store, hq: "hq:7100" }, "--hq: expected an http"],
      [{ ...store, hq: "not a url" }, '--hq: "not a url" is not a URL'],
      [{ ...store, hqTokenFile: undefined }, "needs HQ's admin token"],
      [{ ...store, hqInterval: "-1" }, "--hq-interval: expected seconds"],
      [{ ...store, database: "postgres://x/y" }, "--database: a store server keeps its channel databases in SQLite"],
      [{ ...store, schedule: "1040=5m" }, "--schedule: HQ's setting; give it to the --role hq server"],
      [{ ...store, fixtures: "dir" }, "--fixtures: HQ's setting"],
    ];
    for (const [input, message] of cases) {
      let thrown: unknown;
      try {
        planRole(input, {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown, message).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toContain(message);
    }
  });
});

describe("checkPush (P-0001 from a store server)", () => {
  const tx = (counter: number, storeId = "SEA01") => ({ replication_counter: counter, store_id: storeId });

  it("moves HQ's mark to the push's end, never back", () => {
    expect(checkPush("SEA01", 10, { from: 10, to: 12, transactions: [tx(11), tx(12)] })).toEqual({ to: 12 });
    // A push HQ already had (its answer was lost): accepted, the ids are skipped, the mark stays.
    expect(checkPush("SEA01", 12, { from: 10, to: 12, transactions: [tx(11), tx(12)] })).toEqual({ to: 12 });
    expect(checkPush("SEA01", 20, { from: 10, to: 11, transactions: [tx(11)] })).toEqual({ to: 20 });
    expect(checkPush("SEA01", 0, { from: 0, to: 0, transactions: [] })).toEqual({ to: 0 });
  });

  it("refuses a gap after HQ's mark (409 naming where to start), another store's rows and counters outside the range", () => {
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error as ApiError;
      }
      return expect.fail("accepted");
    };
    const gap = refused(() => checkPush("SEA01", 10, { from: 11, to: 12, transactions: [tx(12)] }));
    expect([gap.statusCode, gap.code]).toEqual([409, "UploadGap"]);
    expect(gap.message).toContain("push from 10, not 11");
    const other = refused(() => checkPush("SEA01", 0, { from: 0, to: 1, transactions: [tx(1, "TYO01")] }));
    expect([other.statusCode, other.message]).toEqual([400, "body.transactions[0].store_id: TYO01 is not store SEA01"]);
    const outside = refused(() => checkPush("SEA01", 0, { from: 0, to: 1, transactions: [tx(2)] }));
    expect(outside.message).toContain("replication_counter: 2 is outside (0, 1]");
    expect(refused(() => checkPush("SEA01", 5, { from: 5, to: 4, transactions: [] })).statusCode).toBe(400);
    // A `to` past the last transaction sent would move HQ's mark over sales it never got.
    const past = refused(() => checkPush("SEA01", 10, { from: 10, to: 1_000_000, transactions: [tx(11)] }));
    expect([past.statusCode, past.message]).toEqual([
      400,
      "body.to: 1000000 is not the last transaction's counter (11)",
    ]);
  });
});

describe("a store server's own database", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps one token per register (a reactivation replaces it), forgets a token HQ refused, survives a reopen", async () => {
    dir = mkdtempSync(join(tmpdir(), "pos-store-local-"));
    const file = join(dir, "store.db");
    const local = openStoreLocal(file);
    local.keepDevice({ register: "SEA01-R1", store: "SEA01" }, "hash-1", "2026-01-01T00:00:00.000Z");
    expect(local.authenticate("hash-1")).toEqual({ register: "SEA01-R1", store: "SEA01" });
    local.keepDevice({ register: "SEA01-R1", store: "SEA01" }, "hash-2", "2026-01-02T00:00:00.000Z");
    expect(local.authenticate("hash-1")).toBeUndefined();
    local.keepDevice({ register: "SEA01-R2", store: "SEA01" }, "hash-3", "2026-01-02T00:00:00.000Z");
    local.forgetToken("hash-3");
    expect(local.authenticate("hash-3")).toBeUndefined();
    // Sign-in lockout is the store's own: five failures block.
    let last = { failures: 0, blocked: false };
    for (let i = 0; i < 5; i++) last = await local.staffLogon.recordFailure("000160", "2026-01-01T00:00:00.000Z", 5);
    expect(last).toEqual({ failures: 5, blocked: true });
    local.close();
    const again = openStoreLocal(file);
    expect(again.authenticate("hash-2")).toEqual({ register: "SEA01-R1", store: "SEA01" });
    expect((await again.staffLogon.find("000160"))?.blockedAt).toBe("2026-01-01T00:00:00.000Z");
    again.close();
  });
});
