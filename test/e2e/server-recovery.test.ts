// End-to-end: kill -9 of the server in the middle of an apply (P-0001 at HQ, its own channel database); the next
// start gives every session a final status and the data arrives exactly once.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { buildSale, call, startServer, type TestServer } from "../helpers/server.js";

const homes: { remove: () => void }[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop("SIGKILL");
  for (const h of homes.splice(0)) h.remove();
});

async function start(home: string, pauseAt?: string): Promise<TestServer> {
  const server = await startServer(home, [], 20_000, pauseAt ? { POS_TEST_PAUSE_AT: pauseAt } : {});
  servers.push(server);
  return server;
}

/** Resolves once the server printed `marker` on stderr (a pause marker: it is then blocked at that point). */
function printed(server: TestServer, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (server.output().stderr.includes(marker)) {
        server.child.stderr?.off("data", check);
        resolve();
      }
    };
    server.child.stderr?.on("data", check);
    server.child.once("close", () => reject(new Error(`server exited before ${marker}:\n${server.output().stderr}`)));
    check();
  });
}

function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const json = async (home: string, args: string[]) => {
  const r = await runPos(["--json", ...args], { home });
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

describe("a server killed during an apply", () => {
  it("P-0001: the Uploaded session becomes Apply failed at the next start; the next run sends each transaction once", async () => {
    const { home, remove } = tempHome("pos-recover-upload-");
    homes.push({ remove });
    const first = await start(home, "p0001-apply");
    const token = (
      await call(first.url, "POST", "/v1/devices/activate", {
        token: first.adminToken,
        body: { register: "SEA01-R1" },
      })
    ).body.token as string;
    for (let seq = 1; seq <= 3; seq++) {
      const tx = buildSale({
        id: `SEA01-R1-00000${seq}`,
        store: "SEA01",
        register: "SEA01-R1",
        currency: "USD",
        decimals: 2,
        lines: [{ item: "1001", qty: seq, price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
      });
      expect((await call(first.url, "POST", "/v1/transactions", { token, body: tx })).status).toBe(201);
    }
    const run = runPos(["--json", "cdx", "run", "P-0001"], { home, timeoutMs: 30_000 });
    await printed(first, "pos: test pause at p0001-apply");
    await first.stop("SIGKILL");
    expect((await run).code).not.toBe(0);
    const hqDb = join(home, "server", "hq.db");
    // What the kill left: the session recorded, none of its transactions at HQ.
    expect(query(hqDb, "SELECT id, status, transactions FROM upload_sessions")).toEqual([
      { id: 1, status: "Uploaded", transactions: 3 },
    ]);
    expect(query(hqDb, "SELECT id FROM hq_transactions")).toEqual([]);

    const second = await start(home);
    await printed(second, "upload session 1 was interrupted by a stop during its apply: now Apply failed");
    const listed = await json(home, ["cdx", "upload-sessions"]);
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0]).toMatchObject({ id: 1, status: "Apply failed", transactions: 3, inserted: 0 });
    expect(listed.sessions[0].message).toMatch(/stopped during the apply/);

    const rerun = await json(home, ["cdx", "run", "P-0001"]);
    const sea = rerun.uploads.find((u: { database: string }) => u.database === "SEA01");
    expect(sea).toMatchObject({ status: "Applied", transactions: 3, inserted: 3, fromCounter: 0, toCounter: 3 });
    const again = await json(home, ["cdx", "run", "P-0001"]);
    expect(again.uploads.find((u: { database: string }) => u.database === "SEA01")).toMatchObject({
      status: "Applied",
      transactions: 0,
    });
    expect(query(hqDb, "SELECT id, upload_session FROM hq_transactions ORDER BY id")).toEqual([
      { id: "SEA01-R1-000001", upload_session: sea.id },
      { id: "SEA01-R1-000002", upload_session: sea.id },
      { id: "SEA01-R1-000003", upload_session: sea.id },
    ]);
    const statuses = query<{ status: string }>(hqDb, "SELECT status FROM upload_sessions").map((r) => r.status);
    expect(statuses).not.toContain("Uploaded");
  });

  it.each([
    ["before the package went in", "channel-apply", 1, "Downloaded"],
    ["after the package went in, before Applied was recorded", "channel-applied", 0, "Downloaded"],
  ])(
    "its own channel database, %s: the session ends Applied, the package applied once",
    async (_name, point, attempts, left) => {
      const { home, remove } = tempHome("pos-recover-channel-");
      homes.push({ remove });
      // The first start applies the full packages; only the run below may pause.
      await (await start(home)).stop();
      const first = await start(home, point);
      expect((await runPos(["hq", "price", "set", "1001", "SEA01", "12.34"], { home })).code).toBe(0);
      const run = runPos(["--json", "cdx", "run", "1040"], { home, timeoutMs: 30_000 });
      await printed(first, `pos: test pause at ${point}`);
      await first.stop("SIGKILL");
      expect((await run).code).not.toBe(0);
      const hqDb = join(home, "server", "hq.db");
      const [session] = query<{ id: number; status: string }>(
        hqDb,
        "SELECT id, status FROM download_sessions WHERE database = 'SEA01' AND job = '1040' ORDER BY id DESC LIMIT 1",
      );
      expect(session?.status).toBe(left);

      const second = await start(home);
      await printed(second, `download session ${session?.id} was interrupted by a stop during its apply: now Applied`);
      const ended = (await json(home, ["cdx", "sessions", "--db", "SEA01"])).sessions.find(
        (s: { id: number }) => s.id === session?.id,
      );
      expect(ended).toMatchObject({ status: "Applied", attempts });
      const channelDb = join(home, "server", "channel-SEA01.db");
      expect(query(channelDb, "SELECT amount FROM prices WHERE store_id = 'SEA01' AND product_id = '1001'")).toEqual([
        { amount: 1234 },
      ]);
      expect(query(channelDb, "SELECT COUNT(*) AS n FROM applied_sessions WHERE session = ?", session?.id)).toEqual([
        { n: 1 },
      ]);
      const unfinished = query(
        hqDb,
        "SELECT id FROM download_sessions WHERE database = 'SEA01' AND status IN ('Requested', 'Downloaded', 'Apply failed')",
      );
      expect(unfinished).toEqual([]);
    },
  );
});
