// End-to-end: a chain in processes — HQ (`--role hq`, on PostgreSQL) and two store servers (`--role store`), each in
// its own home with its registers. Prices reach both stores through HQ; a killed store server's register fails over
// and pushes later; stores sell while HQ is away and P-0001 catches up; HQ ends with every sale once.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunResult, runPos, tempHome } from "../helpers/cli.js";
import { usePostgres } from "../helpers/postgres.js";
import { ageConnectionState, provisionTestRegister } from "../helpers/register-home.js";
import { scriptedSaleArgs } from "../helpers/sale-process.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

const pg = usePostgres();
const hqHome = tempHome("pos-roles-hq-");
const seaHome = tempHome("pos-roles-sea-");
const tyoHome = tempHome("pos-roles-tyo-");
let hqDatabase = "";
let hq: TestServer | undefined;
let hqPort = 0;
const stores: Record<string, { home: string; server?: TestServer; port: number; register: string; staff: string }> = {
  SEA01: { home: seaHome.home, port: 0, register: "SEA01-R1", staff: "000160" },
  TYO01: { home: tyoHome.home, port: 0, register: "TYO01-R1", staff: "000260" },
};
/** Every receipt a register printed, by transaction id (a sale is counted once however often it is pushed). */
const receipts = new Map<string, { store: string; totalMinor: number }>();

interface Receipt {
  id: string;
  store: string;
  total: number;
  status: string;
  mode: string;
  lines: { item: string; unitPrice: number }[];
}

const storeOf = (id: string) => stores[id] ?? expect.fail(`no store ${id}`);
const hqServer = () => hq ?? expect.fail("HQ is not running");

function startHq(port: number): Promise<TestServer> {
  return startServer(hqHome.home, ["--role", "hq", "--database", hqDatabase, "--port", String(port)], 60_000);
}

async function startStore(id: string): Promise<TestServer> {
  const store = storeOf(id);
  const server = await startServer(store.home, [
    "--role",
    "store",
    "--stores",
    id,
    "--hq",
    `http://127.0.0.1:${hqPort}`,
    "--hq-token-file",
    hqServer().adminTokenFile,
    "--hq-interval",
    "0",
    "--port",
    String(store.port),
  ]);
  store.server = server;
  store.port = Number(new URL(server.url).port);
  return server;
}

/**
 * A round with HQ now, as support runs it: `pos server catch-up` in the store server's home (the admin route the
 * interval loop also runs): pull channel sessions, push P-0001. Exit 0, or 3 when HQ could not be reached.
 */
async function catchUp(id: string) {
  const store = storeOf(id);
  if (!store.server) expect.fail(`store server ${id} is not running`);
  const run = await runPos(["--json", "server", "catch-up"], { home: store.home });
  const answer = { body: JSON.parse(run.stdout) as { stores: unknown[] } };
  const [first] = answer.body.stores as { error: string | null }[];
  expect(run.code, run.stderr).toBe(first?.error ? 3 : 0);
  const [round] = answer.body.stores as {
    store: string;
    applied: number;
    pushed: number;
    inserted: number;
    counter: number | null;
    error: string | null;
  }[];
  expect(round?.store).toBe(id);
  return round ?? expect.fail("no round");
}

async function sell(id: string, items: string[]): Promise<Receipt[]> {
  const store = storeOf(id);
  const input = `${items.map((item) => `${item}\npay card`).join("\n")}\n`;
  const r: RunResult = await runPos(scriptedSaleArgs(store.register, store.staff), {
    home: store.home,
    input,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  const sold = (JSON.parse(r.stdout) as { receipts: Receipt[] }).receipts;
  expect(sold).toHaveLength(items.length);
  const decimals = id === "TYO01" ? 0 : 2;
  for (const receipt of sold) {
    receipts.set(receipt.id, { store: id, totalMinor: Math.round(receipt.total * 10 ** decimals) });
  }
  return sold;
}

async function hqTotals(): Promise<Record<string, { count: number; distinct: number; sum: number }>> {
  const rows = await pg().query<{ store_id: string; n: string; ids: string; total: string }>(
    "SELECT store_id, COUNT(*) AS n, COUNT(DISTINCT id) AS ids, SUM(total_minor) AS total FROM hq_transactions GROUP BY store_id",
    "pos_hq",
  );
  return Object.fromEntries(
    rows.map((r) => [r.store_id, { count: Number(r.n), distinct: Number(r.ids), sum: Number(r.total) }]),
  );
}

function expectedTotals(): Record<string, { count: number; distinct: number; sum: number }> {
  const out: Record<string, { count: number; distinct: number; sum: number }> = {};
  for (const { store, totalMinor } of receipts.values()) {
    const t = out[store] ?? { count: 0, distinct: 0, sum: 0 };
    out[store] = t;
    t.count++;
    t.distinct++;
    t.sum += totalMinor;
  }
  return out;
}

beforeAll(async () => {
  hqDatabase = await pg().createDatabase("pos_hq");
  hq = await startHq(0);
  hqPort = Number(new URL(hq.url).port);
  for (const id of Object.keys(stores)) {
    await startStore(id);
    // The first round (channel databases new to this home get their full packages from HQ).
    await catchUp(id);
    await provisionTestRegister(storeOf(id).home, storeOf(id).server?.url ?? "", storeOf(id).register);
  }
}, 120_000);

afterAll(async () => {
  for (const store of Object.values(stores)) await store.server?.stop();
  await hq?.stop();
  for (const home of [hqHome, seaHome, tyoHome]) home.remove();
});

describe("a chain: pos server start --role hq + --role store", () => {
  it("HQ holds no channel database: its sessions wait Available until each store server pulls and applies them", async () => {
    expect(existsSync(join(hqHome.home, "server", "channel-SEA01.db"))).toBe(false);
    expect(existsSync(join(seaHome.home, "server", "channel-SEA01.db"))).toBe(true);
    expect(existsSync(join(seaHome.home, "server", "channel-TYO01.db"))).toBe(false);
    expect(hqServer().output().stderr).toMatch(/session \d+ job 1040 → SEA01 \(full, 1000 rows\): Available/);
    const sessions = await call(hqServer().url, "GET", "/v1/admin/cdx/sessions?database=TYO01", {
      token: hqServer().adminToken,
    });
    expect(sessions.status).toBe(200);
    const statuses = (sessions.body.sessions as { status: string }[]).map((s) => s.status);
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(new Set(statuses)).toEqual(new Set(["Applied"]));
  });

  it("registers provisioned against their store server sell online; status and doctor work", async () => {
    const [sea] = await sell("SEA01", ["1001"]);
    expect(sea).toMatchObject({ store: "SEA01", status: "stored", mode: "online" });
    expect(sea?.lines[0]?.unitPrice).toBe(9.99);
    const [tyo] = await sell("TYO01", ["1001"]);
    expect(tyo).toMatchObject({ store: "TYO01", status: "stored", mode: "online" });
    expect(tyo?.lines[0]?.unitPrice).toBe(1480);
    const status = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: seaHome.home });
    expect(status.code, status.stderr).toBe(0);
    // The register's journal comes from its store server's channel database.
    const journal = await runPos(["--json", "journal", "show", "--register", "SEA01-R1"], { home: seaHome.home });
    expect(journal.code, journal.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(journal.stdout))).toContain(sea?.id ?? "?");
    const doctor = await runPos(["doctor", "--register", "TYO01-R1"], { home: tyoHome.home, timeoutMs: 60_000 });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    // A register of another store is refused by this store server (its token would be of no use here).
    const wrong = await runPos(["register", "provision", "TYO01-R1", "--server", storeOf("SEA01").server?.url ?? ""], {
      home: seaHome.home,
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/belongs to store TYO01/);
  });

  it("a register activated at HQ is taken by its store server once HQ vouches for its token", async () => {
    const home = hqHome.home;
    const provision = await runPos(["register", "provision", "SEA01-R2", "--no-offline", "--server", hqServer().url], {
      home,
    });
    expect(provision.code, provision.stderr).toBe(0);
    const moved = await runPos(["register", "set", "SEA01-R2", "--server", storeOf("SEA01").server?.url ?? ""], {
      home,
    });
    expect(moved.code, moved.stderr).toBe(0);
    const r = await runPos(scriptedSaleArgs("SEA01-R2"), { home, input: "1002\npay card\n", timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const [receipt] = (JSON.parse(r.stdout) as { receipts: Receipt[] }).receipts;
    expect(receipt).toMatchObject({ store: "SEA01", status: "stored", mode: "online" });
    receipts.set(receipt?.id ?? "", { store: "SEA01", totalMinor: Math.round((receipt?.total ?? 0) * 100) });
    // A token nobody issued is refused (HQ does not vouch for it).
    const bogus = await call(storeOf("SEA01").server?.url ?? "", "GET", "/v1/registers/SEA01-R2/config", {
      token: "dev_not-a-token",
    });
    expect(bogus.status).toBe(401);
    // A register of another store pointed at this store server: a wrong server (403 naming both), not a bad token.
    const tyoToken = (
      JSON.parse(readFileSync(join(tyoHome.home, "registers", "TYO01-R1", "register.json"), "utf8")) as {
        deviceToken: string;
      }
    ).deviceToken;
    const elsewhere = await call(storeOf("SEA01").server?.url ?? "", "GET", "/v1/registers/TYO01-R1/config", {
      token: tyoToken,
    });
    expect(elsewhere.status).toBe(403);
    // SEA01-R2 is reactivated at HQ (a replaced device): its old token stops working at the store server with the
    // next round, without the old device having to call HQ through it.
    const oldToken = (
      JSON.parse(readFileSync(join(home, "registers", "SEA01-R2", "register.json"), "utf8")) as { deviceToken: string }
    ).deviceToken;
    const config = () =>
      call(storeOf("SEA01").server?.url ?? "", "GET", "/v1/registers/SEA01-R2/config", { token: oldToken });
    expect((await config()).status).toBe(200);
    const reactivated = await call(hqServer().url, "POST", "/v1/devices/activate", {
      token: hqServer().adminToken,
      body: { register: "SEA01-R2" },
    });
    expect(reactivated.status).toBe(201);
    await catchUp("SEA01");
    expect((await config()).status).toBe(401);
    expect(elsewhere.body.error.message).toMatch(
      /register TYO01-R1 belongs to store TYO01; this store server holds SEA01/,
    );
  });

  it("pos cdx run at HQ delivers a price change to both stores' channel databases, and registers sell at it", async () => {
    for (const [store, amount] of [
      ["SEA01", "12.49"],
      ["TYO01", "1500"],
    ] as const) {
      const set = await runPos(["hq", "price", "set", "1001", store, amount], { home: hqHome.home });
      expect(set.code, set.stderr).toBe(0);
    }
    const run = await runPos(["--json", "cdx", "run", "1040"], { home: hqHome.home, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    for (const id of ["SEA01", "TYO01"]) expect((await catchUp(id)).applied).toBeGreaterThanOrEqual(1);
    expect((await sell("SEA01", ["1001"]))[0]?.lines[0]?.unitPrice).toBe(12.49);
    expect((await sell("TYO01", ["1001"]))[0]?.lines[0]?.unitPrice).toBe(1500);
    // The offline database gets it too, through the store server (the package streamed from HQ).
    const pulled = await runPos(["--json", "sync", "pull", "--register", "SEA01-R1"], { home: seaHome.home });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((JSON.parse(pulled.stdout) as { applied: number }).applied).toBeGreaterThanOrEqual(1);
  });

  it("passes a register's package download through to HQ byte for byte, and resumes it with Range/If-Range", async () => {
    const config = JSON.parse(readFileSync(join(seaHome.home, "registers", "SEA01-R1", "register.json"), "utf8")) as {
      deviceToken: string;
    };
    const url = storeOf("SEA01").server?.url ?? "";
    const auth = { authorization: `Bearer ${config.deviceToken}` };
    const listed = await call(url, "GET", "/v1/sync/sessions?database=SEA01-R1-OFFLINE", {
      token: config.deviceToken,
    });
    expect(listed.status).toBe(200);
    const session = (listed.body.sessions as { id: number; size: number; sha256: string; job: string }[]).find(
      (s) => s.job === "1040" && s.size > 100,
    );
    if (!session) return expect.fail("no 1040 session of SEA01-R1-OFFLINE");
    const whole = await fetch(`${url}/v1/sync/sessions/${session.id}/package`, { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers.get("etag")).toBe(`"${session.sha256}"`);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.length).toBe(session.size);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(session.sha256);
    const rest = await fetch(`${url}/v1/sync/sessions/${session.id}/package`, {
      headers: { ...auth, range: "bytes=100-", "if-range": `"${session.sha256}"` },
    });
    expect(rest.status).toBe(206);
    expect(rest.headers.get("content-range")).toBe(`bytes 100-${session.size - 1}/${session.size}`);
    expect(Buffer.from(await rest.arrayBuffer()).equals(bytes.subarray(100))).toBe(true);
    // Another package's tag: the whole package again.
    const changed = await fetch(`${url}/v1/sync/sessions/${session.id}/package`, {
      headers: { ...auth, range: "bytes=100-", "if-range": '"0000"' },
    });
    expect(changed.status).toBe(200);
    expect((await changed.arrayBuffer()).byteLength).toBe(session.size);
  });

  it("kill -9 of one store server: the other store keeps selling, the killed one's register fails over and pushes later", async () => {
    const sea = storeOf("SEA01");
    await sea.server?.stop("SIGKILL");
    const offline = await sell("SEA01", ["1001", "1002"]);
    for (const r of offline) expect(r).toMatchObject({ mode: "offline", status: "pending" });
    for (const r of await sell("TYO01", ["1002"])) expect(r).toMatchObject({ mode: "online", status: "stored" });

    await startStore("SEA01");
    const pushed = await runPos(["--json", "sync", "push", "--register", "SEA01-R1"], { home: sea.home });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ uploaded: 2, pendingAfter: 0 });
  });

  it("HQ stopped: stores keep selling online; P-0001 catches up when HQ is back, each sale once", async () => {
    await hqServer().stop();
    for (const id of ["SEA01", "TYO01"]) {
      const round = await catchUp(id);
      expect(round.error).toMatch(/unreachable|refused/);
    }
    expect((await sell("TYO01", ["1003", "1001"])).every((r) => r.status === "stored")).toBe(true);
    // As if the register's reconnect wait since the kill had passed: it finds its store server again.
    ageConnectionState(seaHome.home, "SEA01-R1", 24 * 3600_000);
    for (const r of await sell("SEA01", ["1003"])) expect(r).toMatchObject({ mode: "online", status: "stored" });

    hq = await startHq(hqPort);
    for (const id of ["SEA01", "TYO01"]) {
      const round = await catchUp(id);
      expect(round.error).toBeNull();
      expect(round.pushed).toBeGreaterThan(0);
    }
    // A second round sends nothing.
    for (const id of ["SEA01", "TYO01"]) expect((await catchUp(id)).pushed).toBe(0);
    const pending = await runPos(["--json", "sync", "push", "--register", "SEA01-R1"], { home: seaHome.home });
    expect(JSON.parse(pending.stdout)).toMatchObject({ pendingAfter: 0 });
    await catchUp("SEA01");

    const expected = expectedTotals();
    expect(Object.keys(expected).sort()).toEqual(["SEA01", "TYO01"]);
    expect(await hqTotals()).toEqual(expected);
  });
});
