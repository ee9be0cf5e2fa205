// End-to-end: HQ on a real PostgreSQL (`pos server start --database postgres://…`): a register sells online and
// offline, pushes; distribution and P-0001 run against PostgreSQL; HQ holds every sale once with the receipts' totals.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultFixturesDir, loadFixtures } from "../../src/lib/fixtures.js";
import { TABLE_NAMES } from "../../src/schema/tables.js";
import { PG_MIGRATIONS } from "../../src/server/hq/pg-schema.js";
import { type RunResult, runPos, tempHome } from "../helpers/cli.js";
import { usePostgres } from "../helpers/postgres.js";
import { scriptedSaleArgs } from "../helpers/sale-process.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

const pg = usePostgres();
const home = tempHome("pos-hq-pg-");
const R = "SEA01-R1";
let url = "";
let server: TestServer | undefined;

const pos = (args: string[], input?: string): Promise<RunResult> =>
  runPos(args, { home: home.home, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
const json = async (args: string[]) => {
  const r = await pos(["--json", ...args]);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

interface Receipt {
  id: string;
  total: number;
  status: string;
  mode: string;
}

async function sales(input: string): Promise<Receipt[]> {
  const r = await pos(scriptedSaleArgs(R), input);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { receipts: Receipt[] }).receipts;
}

beforeAll(async () => {
  url = await pg().createDatabase("pos_hq");
  server = await startServer(home.home, ["--database", url]);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos server start --database postgres://…", () => {
  it("keeps HQ in PostgreSQL (its own migrations table), never in hq.db, and says where", async () => {
    expect(server?.output().stdout).toContain(`HQ: postgres://pos@127.0.0.1:${pg().port}/pos_hq`);
    expect(server?.output().stdout).not.toContain("pos-test-password");
    expect(existsSync(join(home.home, "server", "hq.db"))).toBe(false);
    expect(await pg().query("SELECT version FROM pos_migrations ORDER BY version", "pos_hq")).toEqual(
      PG_MIGRATIONS.map((_, i) => ({ version: i + 1 })),
    );
    // The fixtures loaded into the new HQ exactly as into a new SQLite one: every row of every table, one change.
    const fixtures = loadFixtures(defaultFixturesDir());
    for (const table of TABLE_NAMES) {
      const [row] = await pg().query<{ n: string; versions: string }>(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT change_version) AS versions FROM ${table}`,
        "pos_hq",
      );
      expect([table, Number(row?.n), Number(row?.versions)]).toEqual([table, fixtures[table].length, 1]);
    }
  });

  it("a register sells online and offline, pushes; cdx run 9999 and P-0001 land every sale once at HQ", async () => {
    const provisioned = await pos(["register", "provision", R, "--sync"]);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const online = await sales("1001\npay card\n1002\n3 x 1003\npay card\nquit\n");
    expect(online.map((r) => r.status)).toEqual(["stored", "stored"]);
    // Operation 917: offline by hand; these wait in offline.db for the push.
    const offline = await sales("917\n1001\npay card\n1004\npay card\nquit\n");
    expect(offline.map((r) => [r.status, r.mode])).toEqual([
      ["pending", "offline"],
      ["pending", "offline"],
    ]);
    expect((await pos(["connect", "--register", R])).code).toBe(0);
    const pushed = await pos(["sync", "push", "--register", R]);
    expect(pushed.code, pushed.stderr).toBe(0);

    // A price change at HQ reaches the register through a full distribution run.
    expect((await pos(["hq", "price", "set", "1001", "SEA01", "10.49"])).code).toBe(0);
    const run = await json(["cdx", "run", "9999"]);
    expect(run.sessions.length).toBeGreaterThan(0);
    expect(run.sessions.filter((s: { database: string; status: string }) => s.database === "SEA01")).toEqual([
      expect.objectContaining({ job: "1040", status: "Applied" }),
    ]);
    const pulled = await pos(["sync", "pull", "--register", R]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const [priced] = await sales("1001\npay card\nquit\n");
    expect(priced?.total).toBe(11.58);

    const receipts = [...online, ...offline, priced as Receipt];
    const upload = await json(["cdx", "run", "P-0001"]);
    expect(upload.uploads.map((u: { database: string; status: string; transactions: number }) => u)).toEqual([
      expect.objectContaining({ database: "SEA01", status: "Applied", transactions: 5, inserted: 5 }),
      expect.objectContaining({ database: "TYO01", status: "Applied", transactions: 0 }),
    ]);
    // A second run (a resend) finds nothing new: no duplicate.
    const again = await json(["cdx", "run", "P-0001"]);
    expect(again.uploads.map((u: { transactions: number }) => u.transactions)).toEqual([0, 0]);

    const atHq = await pg().query<{ id: string; total_minor: string; mode: string }>(
      "SELECT id, total_minor, mode FROM hq_transactions ORDER BY id",
      "pos_hq",
    );
    expect(atHq.map((t) => [t.id, Number(t.total_minor), t.mode])).toEqual(
      receipts
        .map((r) => [r.id, Math.round(r.total * 100), r.mode])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const listed = await json(["cdx", "upload-sessions"]);
    expect(listed.hqTransactions).toBe(5);
  });

  it("PostgreSQL away: HQ calls answer 503 and the register sells offline; back: it answers again", async () => {
    const url = server?.url ?? "";
    const token = server?.adminToken ?? "";
    pg().pause();
    try {
      const away = await call(url, "GET", "/v1/admin/cdx/databases", { token });
      expect(away.status).toBe(503);
      expect(away.body.error).toMatchObject({ code: "ServiceUnavailable" });
      expect(away.body.error.message).toMatch(/HQ's PostgreSQL database is not reachable/);
      const [sold] = await sales("1001\npay card\nquit\n");
      expect(sold).toMatchObject({ status: "pending", mode: "offline" });
    } finally {
      pg().resume();
    }
    const back = await call(url, "GET", "/v1/admin/cdx/databases", { token });
    expect(back.status).toBe(200);
    expect(server?.output().stderr).not.toMatch(/internal error/);
    expect((await pos(["connect", "--register", R])).code).toBe(0);
    expect((await pos(["sync", "push", "--register", R])).code).toBe(0);
    const upload = await json(["cdx", "run", "P-0001", "--db", "SEA01"]);
    expect(upload.uploads).toEqual([expect.objectContaining({ transactions: 1, inserted: 1 })]);
    expect((await json(["cdx", "upload-sessions"])).hqTransactions).toBe(6);
  });

  it("restarts on the same database without loading fixtures again; status and doctor keep working", async () => {
    const port = new URL(server?.url ?? "").port;
    await server?.stop();
    // The same port: the register was provisioned against this URL.
    server = await startServer(home.home, ["--database", url, "--port", port]);
    expect(server.output().stderr).not.toMatch(/HQ loaded/);
    const status = await pos(["status", "--register", R]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/server\s+http:\/\/127\.0\.0\.1:\d+ answers/);
    const doctor = await json(["doctor", "--register", R]);
    expect(doctor.checks.filter((c: { status: string }) => c.status === "problem")).toEqual([]);
    expect((await json(["cdx", "upload-sessions"])).hqTransactions).toBe(6);
  });
});
