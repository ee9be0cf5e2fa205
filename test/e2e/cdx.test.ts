// End-to-end: `pos cdx` against a real server — incremental packages, a register's pull, new databases, pause, P-0001.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DownloadSession } from "../../src/lib/api-sync.js";
import { readPackage } from "../../src/sync/package/reader.js";
import { tempHome } from "../helpers/cli.js";
import { buildSale, call, startServer, type TestServer } from "../helpers/server.js";
import { cdxCli, offlineContents, offlinePrice, sessionOf } from "./cdx-helpers.js";

const home = tempHome("pos-cdx-e2e-");
const { pos, json, run, sessions, deviceToken } = cdxCli(home.home);
let server: TestServer;

beforeAll(async () => {
  server = await startServer(home.home);
});
afterAll(async () => {
  await server?.stop();
  home.remove();
});

async function changesOf(session: DownloadSession) {
  const changes: unknown[] = [];
  for await (const entry of readPackage(session.file ?? "")) if (entry.kind === "change") changes.push(entry.change);
  return changes;
}

describe("pos cdx (distribution)", () => {
  it("provisions SEA01-R1 with --sync: one full session per job, all applied", async () => {
    const r = await pos(["register", "provision", "SEA01-R1", "--server", server.url, "--sync"]);
    expect(r.code, r.stderr).toBe(0);
    const listed = await sessions("SEA01-R1-OFFLINE");
    expect(listed.map((s) => [s.job, s.full, s.status])).toEqual(
      ["1010", "1040", "1060", "1070", "1090"].map((job) => [job, true, "Applied"]),
    );
  });

  it("packages one price change as one session per target with that price row only; again: no session", async () => {
    const before = offlineContents(home.home, "SEA01-R1");
    const lastId = Math.max(...(await json(["cdx", "sessions"])).sessions.map((s: DownloadSession) => s.id));
    expect((await pos(["hq", "price", "set", "1001", "SEA01", "12.49"])).code).toBe(0);
    const answer = await run("1040");
    // TYO01 has nothing new: no session is recorded for it.
    expect(answer.sessions.map((s) => s.database)).toEqual(["SEA01", "SEA01-R1-OFFLINE"]);
    expect(answer.sessions.every((s) => s.id > lastId)).toBe(true);
    for (const db of ["SEA01", "SEA01-R1-OFFLINE"]) expect(sessionOf(answer, db).rows).toEqual({ prices: 1 });
    expect(answer.upToDate).toBe(1);
    expect(answer.skipped).toEqual([
      { database: "TYO01-R1-OFFLINE", reason: expect.stringMatching(/pauseOfflineSync/) },
    ]);
    const offline = sessionOf(answer, "SEA01-R1-OFFLINE");
    expect(offline.file?.startsWith(join(home.home, "server", "packages"))).toBe(true);
    expect(await changesOf(offline)).toEqual([
      { table: "prices", op: "upsert", row: { store_id: "SEA01", product_id: "1001", amount: 1249 } },
    ]);
    const again = await run("1040");
    expect(again).toMatchObject({ sessions: [], packages: 0, upToDate: 3 });
    const human = await pos(["cdx", "run", "1040"]);
    expect(human.stdout).toMatch(
      /job 1040: no sessions; nothing new for 3 database × job pair\(s\) \(no session recorded\)/,
    );

    // The server applied its own channel database's session at once.
    const product = await call(server.url, "GET", "/v1/products/1001", { token: deviceToken("SEA01-R1") });
    expect(product.body.price).toBe(12.49);

    // The register pulls it: the new price and nothing else.
    const pulled = await pos(["sync", "pull"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const after = offlineContents(home.home, "SEA01-R1");
    const priceRow = (rows: unknown[]) => rows.filter((r) => (r as { product_id: string }).product_id === "1001");
    expect(priceRow(after.prices ?? [])).toEqual([{ store_id: "SEA01", product_id: "1001", amount: 1249 }]);
    const without = (c: Record<string, unknown[]>) => ({
      ...c,
      prices: (c.prices ?? []).filter((r) => !priceRow([r]).length),
    });
    expect(without(after)).toEqual(without(before));
  });

  it("gives a register that newly supports offline one full session per job, not the backlog", async () => {
    expect((await pos(["hq", "register", "set", "SEA01-R2", "--supports-offline", "true"])).code).toBe(0);
    const databases = (await json(["cdx", "databases"])).databases;
    expect(databases).toContainEqual(
      expect.objectContaining({ name: "SEA01-R2-OFFLINE", kind: "offline", dataGroup: "SEA-GROUP", versions: {} }),
    );
    const answer = await run("9999");
    const r2 = answer.sessions.filter((s) => s.database === "SEA01-R2-OFFLINE");
    expect(r2.map((s) => [s.job, s.full, s.status])).toEqual(
      ["1010", "1040", "1060", "1070", "1090"].map((job) => [job, true, "Available"]),
    );
    expect(r2.find((s) => s.job === "1040")?.rows).toEqual({ products: 320, barcodes: 360, prices: 320 });
  });

  it("pause makes no sessions for a database; resume catches up in one session per job", async () => {
    expect((await pos(["cdx", "pause", "SEA01-R1-OFFLINE"])).code).toBe(0);
    for (const [product, amount] of [
      ["1002", "5.55"],
      ["1003", "6.66"],
    ] as const) {
      expect((await pos(["hq", "price", "set", product, "SEA01", amount])).code).toBe(0);
      const answer = await run("1040");
      expect(answer.sessions.map((s) => s.database)).not.toContain("SEA01-R1-OFFLINE");
      expect(answer.skipped).toContainEqual({ database: "SEA01-R1-OFFLINE", reason: expect.stringMatching(/paused/) });
    }
    const human = await pos(["cdx", "databases"]);
    expect(human.stdout).toMatch(/SEA01-R1-OFFLINE\s+offline\s+SEA01\s+SEA-GROUP\s+paused/);
    expect((await pos(["cdx", "resume", "SEA01-R1-OFFLINE"])).code).toBe(0);
    const caught = await run("9999", "--db", "SEA01-R1-OFFLINE");
    expect(caught.sessions.map((s) => [s.job, s.status, s.rows])).toEqual([["1040", "Available", { prices: 2 }]]);
    expect(caught.upToDate).toBe(4);
    const pulled = await pos(["sync", "pull"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(offlinePrice(home.home, "SEA01-R1", "1003")).toBe(666);
  });

  it("P-0001 uploads channel transactions once; a second run sends 0", async () => {
    const token = deviceToken("SEA01-R1");
    for (const seq of [1, 2, 3]) {
      const sale = buildSale({
        id: `SEA01-R1-${String(900 + seq).padStart(6, "0")}`,
        store: "SEA01",
        register: "SEA01-R1",
        currency: "USD",
        decimals: 2,
        lines: [{ item: "1001", price: 12.49, taxGroup: "standard", taxRate: 10.35 }],
      });
      expect((await call(server.url, "POST", "/v1/transactions", { token, body: sale })).status).toBe(201);
    }
    const first = await run("P-0001");
    expect(first.uploads.map((u) => [u.database, u.status, u.transactions])).toEqual([
      ["SEA01", "Applied", 3],
      ["TYO01", "Applied", 0],
    ]);
    const second = await run("P-0001");
    expect(second.uploads.map((u) => u.transactions)).toEqual([0, 0]);
    const human = await pos(["cdx", "run", "P-0001"]);
    expect(human.stdout).toMatch(/0 transaction\(s\) uploaded/);
    const hq = new Database(join(home.home, "server", "hq.db"), { readonly: true });
    try {
      expect(hq.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM hq_transactions").get()).toEqual({
        n: 3,
        d: 3,
      });
    } finally {
      hq.close();
    }
    const listed = await json(["cdx", "upload-sessions"]);
    expect(listed).toMatchObject({ hqTransactions: 3, conflicts: [] });
    expect((await pos(["cdx", "upload-sessions"])).stdout).toMatch(/HQ holds 3 transaction/);
  });

  it("shows every register's reported offline status", async () => {
    const token = deviceToken("SEA01-R1");
    const body = { mode: "offline", manual: true, pendingCount: 2, dbSizeBytes: 4096 };
    expect((await call(server.url, "POST", "/v1/registers/SEA01-R1/offline-status", { token, body })).status).toBe(200);
    const listed = (await json(["cdx", "registers"])).registers;
    expect(listed.map((r: { register: string }) => r.register)).toEqual(["SEA01-R1", "SEA01-R2", "TYO01-R1"]);
    expect(listed[0]).toMatchObject({ mode: "offline", manual: true, pendingCount: 2, dbSizeBytes: 4096 });
    expect(listed[2]).toMatchObject({ mode: null, reportedAt: null });
    const human = await pos(["cdx", "registers"]);
    expect(human.stdout).toMatch(/SEA01-R1\s+SEA01\s+SEA01-R1-OFFLINE\s+offline \(manual\)/);
    expect(human.stdout).toMatch(/TYO01-R1.*never reported/);
  });

  it("lists jobs and sessions as tables for people", async () => {
    const jobs = await pos(["cdx", "jobs"]);
    expect(jobs.stdout).toMatch(/^JOB\s+NAME/);
    expect(jobs.stdout).toMatch(/1040\s+Products\s+download\s+products, barcodes, prices/);
    const listed = await pos(["cdx", "sessions", "--db", "SEA01", "--status", "Applied", "--job", "1040"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split("\n")[0]).toMatch(/^ID\s+JOB\s+DATABASE\s+STATUS\s+ROWS/);
    expect(listed.stdout).not.toMatch(/No data/);
  });

  it.each([
    [["cdx", "run", "1234"], 2, /unknown job "1234"/],
    [["cdx", "run", "1040", "--db", "NOPE"], 2, /no channel database NOPE/],
    [["cdx", "sessions", "--db", "NOPE"], 2, /no channel database NOPE/],
    [["cdx", "rerun", "abc"], 2, /session id/],
    [["cdx", "cancel", "999999"], 2, /no download session 999999/],
    [["cdx", "pause", "NOPE"], 2, /NOPE/],
    [["cdx", "jobs", "--server", "http://127.0.0.1:9"], 3, /unreachable/],
  ])("%j exits %i with one line", async (args, code, pattern) => {
    const r = await pos(args);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it.each([
    "jobs",
    "run",
    "sessions",
    "rerun",
    "cancel",
    "upload-sessions",
    "databases",
    "pause",
    "resume",
    "registers",
  ])("cdx %s --help has an example", async (command) => {
    const r = await pos(["cdx", command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example:\n {2}pos cdx /);
  });
});
