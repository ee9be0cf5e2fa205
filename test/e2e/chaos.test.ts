// Seeded chaos over the money path: kill -9, lost answers, refused and blackholed requests and 4xx refusals across an
// online-only and an offline register. Invariant: every receipt printed is at the server exactly once, with stored
// tenders = stored total = the fixture total, no number ever repeats and nothing is left pending or in doubt.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy } from "../../src/faults/proxy.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { moneyProblems, serverSales } from "../helpers/money.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { scriptedSaleArgs, startSale } from "../helpers/sale-process.js";
import { startServer, type TestServer } from "../helpers/server.js";

const SEED = Number(process.env.POS_CHAOS_SEED ?? 20261127);
const ROUNDS = 16;

/** mulberry32: a small seeded generator, so a failing run is replayed with POS_CHAOS_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULTS = [
  "none",
  "lost-ack once",
  "lost-ack",
  "http 503",
  "http 422 once",
  "http 409 once",
  "blackhole once",
  "reset",
] as const;
const ITEMS = ["1001", "1002", "1003", "1004", "2 x 1001", "3 x 1002"];

describe(`chaos on the money path (seed ${SEED}; replay with POS_CHAOS_SEED=${SEED})`, () => {
  const t = tempHome("pos-chaos-");
  let server: TestServer;
  let proxy: FaultProxy;
  const receipts = new Set<string>();
  const log: string[] = [];

  beforeAll(async () => {
    server = await startServer(t.home);
    proxy = await createFaultProxy({ target: server.url });
    await provisionTestRegister(t.home, proxy.url, "SEA01-R1", { profile: { timeout_interval: 0.5 } });
    const r2 = await runPos(["register", "provision", "SEA01-R2", "--server", proxy.url, "--no-offline"], {
      home: t.home,
    });
    expect(r2.code, r2.stderr).toBe(0);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    t.remove();
  });

  it("loses nothing, charges nothing twice or wrong, never repeats a number", async () => {
    const rand = random(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    for (let round = 0; round < ROUNDS; round++) {
      const register = rand() < 0.5 ? "SEA01-R1" : "SEA01-R2";
      const fault = pick(FAULTS);
      const kill = rand() < 0.3;
      const items = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(ITEMS));
      const [kind, arg, once] = fault.split(" ");
      const spec = kind === "http" ? `http ${arg}` : kind;
      await proxy.setFault("none");
      const p = startSale(t.home, scriptedSaleArgs(register));
      for (const item of items) p.send(item);
      if (items.length > 1) p.send(rand() < 0.5 ? "void 1" : "disc 2 15");
      try {
        await p.waitFor(new RegExp(`\\+ line ${items.length}:`), 20_000);
      } catch {
        // the register could not start (the server refused it): nothing was sold in this round
      }
      if (spec !== "none") {
        await proxy.setFault({
          fault: spec,
          path: "/v1/transactions",
          ...(once === "once" || arg === "once" ? { times: 1 } : {}),
        });
      }
      p.send("pay card");
      if (kill) {
        // kill -9 somewhere around the checkout: before, during or after the commit
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 40)));
        p.kill("SIGKILL");
      }
      const r = await p.end("quit\n");
      for (const m of (r.stdout + r.stderr).matchAll(/sale (\S+) completed/g)) receipts.add(m[1] as string);
      for (const m of (r.stdout + r.stderr).matchAll(/sale (\S+) \(in doubt\) is completed/g)) {
        receipts.add(m[1] as string);
      }
      log.push(`round ${round}: ${register} ${fault}${kill ? " kill -9" : ""} → exit ${r.code ?? r.signal}`);
      if (!kill) expect([0, 1, 3], `${log.at(-1)}\n${r.stderr}`).toContain(r.code);
    }

    // Heal, then settle everything the registers still hold: in doubt and pending.
    await proxy.setFault("none");
    for (const register of ["SEA01-R1", "SEA01-R2"]) {
      const push = await runPos(["--json", "sync", "push", "--register", register], { home: t.home });
      expect(push.code, `${register}: ${push.stderr}\n${log.join("\n")}`).toBe(0);
      const status = JSON.parse(
        (await runPos(["--json", "status", "--register", register], { home: t.home })).stdout,
      ) as { pending: { count: number }; inDoubt: unknown[]; conflicts: number };
      expect(status, log.join("\n")).toMatchObject({ pending: { count: 0 }, inDoubt: [], conflicts: 0 });
    }

    const stored = serverSales(t.home, "SEA01");
    const storedIds = stored.map((s) => s.id);
    const context = `seed ${SEED}\n${log.join("\n")}`;
    for (const id of receipts)
      expect(
        storedIds.filter((x) => x === id),
        `${id} printed\n${context}`,
      ).toHaveLength(1);
    for (const sale of stored) expect(moneyProblems(sale), context).toEqual([]);
    const channel = new Database(join(t.home, "server", "channel-SEA01.db"), { readonly: true });
    try {
      const conflicts = channel.prepare("SELECT transaction_id FROM transaction_conflicts").all();
      expect(conflicts, `a number was used twice with different content\n${context}`).toEqual([]);
    } finally {
      channel.close();
    }
    expect(receipts.size, context).toBeGreaterThan(ROUNDS / 4);
  }, 150_000);
});
