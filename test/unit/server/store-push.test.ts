// P-0001 from a store server: what it sends is what its own channel database has not pushed yet, never "what lies
// past HQ's mark" alone — a new channel database for a store (a rebuilt store server) counts from 1 again.
import { afterEach, describe, expect, it } from "vitest";
import type { UploadPushAnswer } from "../../../src/lib/api-store.js";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Db } from "../../../src/lib/db.js";
import { openChannelDatabase } from "../../../src/server/channel-db.js";
import { checkPush } from "../../../src/server/routes/store-link.js";
import { type CatchUpContext, pushTransactions, type StoreRound } from "../../../src/server/store/catch-up.js";
import type { HqLink } from "../../../src/server/store/hq-link.js";
import { contentHash, storeTransactions } from "../../../src/server/transactions.js";
import { buildSale } from "../../helpers/server.js";

const clock = new VirtualClock();
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

/** HQ as the store-link route keeps it: one mark per store (checkPush's rules), each transaction id once. */
function fakeHq() {
  const held = new Set<string>();
  let mark = 0;
  let pushes = 0;
  const link = {
    progress: async () => mark,
    push: async (store: string, body: unknown): Promise<UploadPushAnswer> => {
      const b = body as Parameters<typeof checkPush>[2] & { transactions: { id: string }[] };
      const { to } = checkPush(store, mark, b);
      let inserted = 0;
      for (const t of b.transactions) if (!held.has(t.id) && held.add(t.id)) inserted++;
      mark = to;
      pushes++;
      return { store, session: pushes, transactions: b.transactions.length, inserted, counter: mark };
    },
  };
  return { link: link as unknown as HqLink, held, mark: () => mark };
}

function channelWith(ids: string[]): Db {
  const db = openChannelDatabase(":memory:");
  dbs.push(db);
  const items = ids.map((id) => {
    const wire = buildSale({
      id,
      store: "SEA01",
      register: id.slice(0, 8),
      currency: "USD",
      decimals: 2,
      lines: [{ item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
    });
    return { wire, totalMinor: 1103, hash: contentHash(wire) };
  });
  storeTransactions(db, items, clock);
  return db;
}

const round = (): StoreRound => ({
  store: "SEA01",
  applied: 0,
  stoppedBy: null,
  pushed: 0,
  inserted: 0,
  counter: null,
  error: null,
});
const ctx = (hq: HqLink): CatchUpContext => ({ hq, clock, channels: new Map(), workDir: "/nonexistent" });

describe("pushTransactions", () => {
  it("a rebuilt store server's new channel database sends its sales although HQ's mark is past its counters", async () => {
    const hq = fakeHq();
    const old = channelWith(["SEA01-R1-000001", "SEA01-R1-000002", "SEA01-R1-000003"]);
    await pushTransactions(ctx(hq.link), "SEA01", old, round());
    expect(hq.mark()).toBe(3);
    // The store server's home is lost and rebuilt: its channel database counts from 1 again.
    const fresh = channelWith(["SEA01-R1-000004", "SEA01-R1-000005"]);
    const r = round();
    await pushTransactions(ctx(hq.link), "SEA01", fresh, r);
    expect(r).toMatchObject({ pushed: 2, inserted: 2 });
    expect([...hq.held].sort()).toEqual([1, 2, 3, 4, 5].map((n) => `SEA01-R1-00000${n}`));
    expect(hq.mark()).toBe(3);
  });

  it("pushes each transaction once: a second round sends nothing, a later sale only itself", async () => {
    const hq = fakeHq();
    const db = channelWith(["SEA01-R1-000001", "SEA01-R1-000002"]);
    await pushTransactions(ctx(hq.link), "SEA01", db, round());
    const again = round();
    await pushTransactions(ctx(hq.link), "SEA01", db, again);
    expect(again.pushed).toBe(0);
    const wire = buildSale({
      id: "SEA01-R1-000003",
      store: "SEA01",
      register: "SEA01-R1",
      currency: "USD",
      decimals: 2,
      lines: [{ item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
    });
    storeTransactions(db, [{ wire, totalMinor: 1103, hash: contentHash(wire) }], clock);
    const later = round();
    await pushTransactions(ctx(hq.link), "SEA01", db, later);
    expect(later).toMatchObject({ pushed: 1, inserted: 1, counter: 3 });
  });
});
