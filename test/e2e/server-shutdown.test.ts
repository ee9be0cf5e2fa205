// End-to-end: SIGTERM while a batch upload is in flight leaves every transaction stored entirely or not at all.
import { existsSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { contentHash } from "../../src/server/transactions.js";
import { collect, runPos, spawnPos, tempHome } from "../helpers/cli.js";
import { buildSale, call, startServer, type TestServer } from "../helpers/server.js";

const N = 3000;

function batch(prefix: number) {
  return Array.from({ length: N }, (_, i) =>
    buildSale({
      id: `SEA01-R1-${String(prefix * 100_000 + i + 1).padStart(6, "0")}`,
      store: "SEA01",
      register: "SEA01-R1",
      currency: "USD",
      decimals: 2,
      lines: [
        { item: "1001", qty: 2, price: 9.99, taxGroup: "standard", taxRate: 10.35 },
        { item: "1002", qty: 1, price: 8.98, taxGroup: "standard", taxRate: 10.35, discountPct: 10 },
        { item: "1003", qty: 3, price: 14.99, taxGroup: "grocery", taxRate: 0 },
      ],
    }),
  );
}

/** Sends the body in two halves and calls `between` after the first half is on the wire. */
function slowUpload(url: string, token: string, body: string, between: () => void): Promise<number | string> {
  return new Promise((resolve) => {
    const target = new URL("/v1/transactions/upload", url);
    const req = request(
      target,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half), () => {
      between();
      setTimeout(() => req.end(body.slice(half)), 300);
    });
  });
}

let server: TestServer | undefined;
const home = tempHome("pos-server-term-");

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

afterAll(() => home.remove());

describe("kill -TERM during a batch upload", () => {
  it.each([
    ["SIGTERM while the body is still arriving", 1, "mid-body", "SIGTERM"],
    ["SIGTERM while the batch is being stored", 2, "after-body", "SIGTERM"],
    // Not a clean shutdown at all: SQLite's rollback is what keeps the batch whole.
    ["SIGKILL while the batch is being stored", 3, "after-body", "SIGKILL"],
  ] as const)(
    "%s: restart shows 0 or N complete transactions",
    async (_name, prefix, when, signal) => {
      server = await startServer(home.home);
      const activation = await call(server.url, "POST", "/v1/devices/activate", {
        token: server.adminToken,
        body: { register: "SEA01-R1" },
      });
      const token = activation.body.token as string;
      const before = (
        await call(server.url, "GET", "/v1/admin/transactions?store=SEA01&limit=1", { token: server.adminToken })
      ).body.count as number;
      const sales = batch(prefix);
      const body = JSON.stringify({ transactions: sales });
      const running = server;
      let status: number | string;
      if (when === "mid-body") {
        status = await slowUpload(running.url, token, body, () => running.child.kill(signal));
      } else {
        const pending = call(running.url, "POST", "/v1/transactions/upload", { token, raw: body }).then(
          (r) => r.status,
          () => "connection lost",
        );
        setTimeout(() => running.child.kill(signal), 150);
        status = await pending;
      }
      const exit = await running.stop();
      if (signal === "SIGTERM") {
        expect(exit.code, exit.stderr).toBe(0);
        expect(exit.stderr).toMatch(/stopped after SIGTERM/);
        expect(existsSync(join(home.home, "server", "server.json"))).toBe(false);
      }

      server = await startServer(home.home);
      const list = await call(server.url, "GET", `/v1/admin/transactions?store=SEA01&limit=10000`, {
        token: server.adminToken,
      });
      const stored = (list.body.count as number) - before;
      expect([0, N]).toContain(stored);
      if (status === 200) expect(stored).toBe(N);
      const byId = new Map(sales.map((s) => [s.id, s]));
      const mine = (list.body.transactions as { id: string; contentHash: string; total: number }[]).filter((t) =>
        byId.has(t.id),
      );
      expect(mine).toHaveLength(stored);
      for (const t of mine) {
        const sent = byId.get(t.id);
        expect(sent).toBeDefined();
        if (sent) expect(t.contentHash).toBe(contentHash(sent));
      }
      if (mine[0]) {
        const full = await call(server.url, "GET", `/v1/admin/transactions/${mine[0].id}`, {
          token: server.adminToken,
        });
        expect(full.body).toEqual(byId.get(mine[0].id));
      }
    },
    60_000,
  );
});

describe("pos --json server start --data <dir>", () => {
  it("prints one JSON document, serves `pos hq` through server.json, and exits 0 on SIGINT", async () => {
    const own = tempHome("pos-server-json-");
    const dataDir = join(own.home, "elsewhere");
    const child = spawnPos(["--json", "server", "start", "--port", "0", "--data", dataDir], { home: own.home });
    const done = collect(child, { timeoutMs: 30_000 });
    try {
      let stdout = "";
      const info = await new Promise<{ url: string; adminTokenFile: string }>((resolve) => {
        child.stdout?.on("data", (d: Buffer) => {
          stdout += String(d);
          try {
            resolve(JSON.parse(stdout));
          } catch {
            // not the whole document yet
          }
        });
      });
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.adminTokenFile).toBe(join(dataDir, "admin-token"));
      const show = await runPos(["--json", "hq", "product", "show", "1001"], { home: own.home });
      expect(show.code, show.stderr).toBe(0);
      expect(JSON.parse(show.stdout).id).toBe("1001");
      child.kill("SIGINT");
      const exit = await done;
      expect(exit.code).toBe(0);
      expect(existsSync(join(own.home, "server", "server.json"))).toBe(false);
      expect(existsSync(join(dataDir, "hq.db"))).toBe(true);
    } finally {
      child.kill("SIGKILL");
      own.remove();
    }
  });
});

describe("pos server start with bad input", () => {
  it.each([
    [["--fixtures", "/nonexistent/fixtures"], /fixtures/],
    [["--port", "http"], /--port/],
  ])("%j exits 2 with one line", async (args, pattern) => {
    const own = tempHome("pos-server-bad-");
    try {
      const r = await runPos(["server", "start", ...args], { home: own.home });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    } finally {
      own.remove();
    }
  });

  it("exits 1 when the port is taken", async () => {
    const own = tempHome("pos-server-busy-");
    const second = tempHome("pos-server-busy2-");
    const first = await startServer(own.home);
    try {
      const port = new URL(first.url).port;
      const r = await runPos(["server", "start", "--port", port], { home: second.home });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use/);
    } finally {
      await first.stop();
      own.remove();
      second.remove();
    }
  });
});
