// End-to-end: `pos load` against a real server behind the fault proxy; its verification catches a lost and a
// duplicated transaction.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFixtures } from "../../fixtures/generate.js";
import { collect, runPos, spawnPos, tempHome } from "../helpers/cli.js";
import { startProxy } from "../helpers/proxy.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-load-e2e-");
let server: TestServer;
let proxy: ReturnType<typeof startProxy>;
let proxyUrl: string;
let control: string;

beforeAll(async () => {
  const fixtures = join(home.home, "chain");
  await generateFixtures({ products: 20, seed: 1, out: fixtures, stores: 2, registersPerStore: 10, staffPerStore: 2 });
  server = await startServer(home.home, ["--fixtures", fixtures]);
  proxy = startProxy(home.home, server.url);
  ({ url: proxyUrl, control } = await proxy.ready);
}, 60_000);

afterAll(async () => {
  proxy?.child.kill("SIGTERM");
  await server?.stop();
  home.remove();
});

const load = (args: string[]) => ["load", "--server", proxyUrl, "--admin-token", server.adminToken, ...args];

describe("pos load", () => {
  it("verifies a clean run: every acknowledged sale held once, exit 0", async () => {
    const r = await runPos(["--json", ...load(["--registers", "4", "--duration", "1s", "--think", "50ms"])], {
      home: home.home,
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      registers: 4,
      stores: 1,
      ok: true,
      verification: { ok: true, lost: [], duplicated: [], extra: [] },
    });
    expect(doc.sales.acknowledged).toBeGreaterThan(0);
    expect(doc.verification.held).toBe(doc.sales.acknowledged);
    expect(doc.kinds.map((k: { kind: string }) => k.kind)).toEqual([
      "activate",
      "config",
      "signin",
      "lookup",
      "checkout",
    ]);
  });

  it("catches a lost transaction (a 201 the server never gave) and a duplicated one (the same sale under a second id)", async () => {
    // Where this run's numbers start for ST01-R01 (the clean run before it used the first ones).
    const before = JSON.parse(readFileSync(join(home.home, "load", "state.json"), "utf8"));
    const firstOfRun = before.registers["ST01-R01"].nextSeq as number;
    const child = spawnPos(
      [
        "--json",
        ...load([
          "--registers",
          "20",
          "--duration",
          "10s",
          "--think",
          "100ms",
          "--report",
          "html",
          "--out",
          join(home.home, "load.html"),
        ]),
      ],
      { home: home.home },
    );
    let stderr = "";
    const selling = new Promise<void>((resolve) => {
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        if (stderr.includes("load: selling")) resolve();
      });
    });
    const finished = collect(child, { timeoutMs: 120_000 });
    await selling;
    // Lost: the proxy answers one checkout 201 itself; the server never sees it.
    const fault = await runPos(
      ["proxy", "set", "http", "201", "--times", "1", "--path", "/v1/transactions", "--control", control],
      {
        home: home.home,
      },
    );
    expect(fault.code, fault.stderr).toBe(0);
    // Duplicated: one of the run's sales posted again under another number, with the register's own token.
    const state = JSON.parse(readFileSync(join(home.home, "load", "state.json"), "utf8"));
    const token = state.registers["ST01-R01"].token as string;
    let original: { id: string } | undefined;
    while (!original) {
      const page = await call(server.url, "GET", "/v1/admin/transactions?register=ST01-R01&limit=10000", {
        token: server.adminToken,
      });
      original = page.body.transactions.find((t: { id: string }) => Number(t.id.split("-").at(-1)) >= firstOfRun);
    }
    const wire = (await call(server.url, "GET", `/v1/admin/transactions/${original.id}`, { token: server.adminToken }))
      .body;
    const copyId = `ST01-R01-${Number(original.id.split("-").at(-1)) + 50_000}`;
    const copy = await call(server.url, "POST", "/v1/transactions", { token, body: { ...wire, id: copyId } });
    expect(copy.status).toBe(201);

    const result = await finished;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/LoadVerificationFailed/);
    const doc = JSON.parse(result.stdout);
    expect(doc.verification).toMatchObject({ ok: false, extra: [], duplicated: [{ id: copyId, of: original.id }] });
    expect(doc.verification.lost).toHaveLength(1);
    expect(doc.verification.held).toBe(doc.sales.acknowledged - 1 + 1);
    expect(doc.registers).toBe(20);
    expect(readFileSync(join(home.home, "load.html"), "utf8")).toMatch(/failed: 1 lost, 1 duplicated, 0 extra/);
  }, 120_000);

  it.each([
    [["--registers", "0"], /--registers/],
    [["--duration", "soon"], /--duration/],
    [["--signin-rate", "fast"], /--signin-rate/],
    [["--report", "html"], /--out/],
    [["--registers", "500"], /has 20 register/],
  ])("%j exits 2 with one line", async (args, message) => {
    const r = await runPos(load(args), { home: home.home });
    expect(r.code).toBe(2);
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("load:")),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
