// End-to-end: scripted `pos sale` (commands on stdin, off a terminal) against a real server, online and failing over.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, spawnPos, tempHome } from "../helpers/cli.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

const SALE = ["sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"];

describe("pos sale from a script, online", () => {
  const home = tempHome("pos-sale-e2e-");
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(home.home);
    await provisionTestRegister(home.home, server.url, "SEA01-R1");
  });
  afterAll(async () => {
    await server?.stop();
    home.remove();
  });

  it("sells two items, exits 0, and the server has the transaction", async () => {
    const result = await runPos(["--json", ...SALE], {
      home: home.home,
      input: "2 x 1001\n4006381333931\npay cash 50\nquit\n",
    });
    expect(result.code).toBe(0);
    // With --json, stdout is the one document; the plain result lines went to stderr.
    expect(result.stderr).toMatch(/\+ line 2: 1 × 1002/);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ register: "SEA01-R1", mode: "online", commands: 4, failed: [], abandonedLines: 0 });
    expect(doc.receipts).toHaveLength(1);
    const receipt = doc.receipts[0];
    // SPEC §4.3's example: 2 × 1001 + 1002 in Seattle comes to 31.96.
    expect(receipt).toMatchObject({ status: "stored", mode: "online", total: 31.96, change: 18.04 });
    expect(receipt.lines.map((l: { item: string; qty: number }) => [l.item, l.qty])).toEqual([
      ["1001", 2],
      ["1002", 1],
    ]);
    const stored = await call(server.url, "GET", `/v1/admin/transactions/${receipt.id}`, { token: server.adminToken });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ id: receipt.id, total: 31.96, tenders: [{ tender: "cash", amount: 31.96 }] });
    // Every completed sale is journaled (SPEC §7), so it can be replayed.
    const journal = readFileSync(join(home.home, "registers", "SEA01-R1", "journal.ndjson"), "utf8");
    expect(journal).toContain(`"ref":"${receipt.id}"`);
  });

  it("prints plain lines and a receipt without --json", async () => {
    const result = await runPos(SALE, { home: home.home, input: "1003\ndisc 1 10\npay card\n" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("signed in: Alex Kim (000160), cashier");
    expect(result.stdout).toMatch(/\+ line 1: 1 × 1003 Canvas tote bag/);
    expect(result.stdout).toMatch(/line 1: 10% off, 13\.49/);
    expect(result.stdout).toMatch(/Receipt SEA01-R1-\d+/);
    expect(result.stdout).toContain("stored at the server");
    expect(result.stdout).toMatch(
      /1 sale\(s\) completed \(1 stored at the server, 0 pending upload\); 0 of 3 commands failed/,
    );
  });

  it("reports a failed command on one line, goes on with the sale, and exits 1", async () => {
    const input = "1001\n9999999\nvoid 7\npay bitcoin\npay\n1002\npay card\n";
    const result = await runPos(["--json", ...SALE], { home: home.home, input });
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.receipts).toHaveLength(1);
    expect(doc.receipts[0].lines).toHaveLength(2);
    expect(doc.failed.map((f: { line: number; code: string }) => [f.line, f.code])).toEqual([
      [2, "BadProduct"],
      [3, "BadLine"],
      [4, "UnknownTender"],
      [5, "BadEntry"],
    ]);
    const errors = result.stderr.trim().split("\n");
    expect(errors).toContain('✖ line 2 "9999999": no product with id or barcode "9999999"');
    expect(errors.filter((l) => l.startsWith("✖"))).toHaveLength(4);
    expect(errors.at(-1)).toMatch(/^pos: SaleCommandsFailed: 4 of 7 sale commands failed/);
  });

  it("refuses a wrong password (exit 1) and a missing one off a terminal (exit 2)", async () => {
    const wrong = await runPos(["sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "nope"], {
      home: home.home,
      input: "1001\n",
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/InvalidCredentials/);
    const missing = await runPos(["sale", "--register", "SEA01-R1", "--staff", "000160"], {
      home: home.home,
      input: "",
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --password <p> or env POS_PASSWORD/);
    const env = await runPos(["sale", "--register", "SEA01-R1", "--staff", "000160"], {
      home: home.home,
      input: "quit\n",
      env: { POS_PASSWORD: "1234" },
    });
    expect(env.code).toBe(0);
  });
});

describe("pos sale from a script, failing over mid-sale", () => {
  const home = tempHome("pos-sale-failover-e2e-");
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(home.home);
    await provisionTestRegister(home.home, server.url, "SEA01-R1");
  });
  afterAll(async () => {
    await server?.stop();
    home.remove();
  });

  it("keeps the cart when the server stops, refuses gift card offline, and stores the sale offline", async () => {
    const child = spawnPos(["--json", ...SALE], { home: home.home });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 20_000;
      while (!pattern.test(stderr)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // With --json, the plain result lines go to stderr, so they can be waited on there.
    child.stdin?.write("1001\n");
    await waitFor(/\+ line 1: 1 × 1001/);
    await server.stop();
    child.stdin?.end("1002\npay giftcard\npay card\n");
    const result = { code: await exited, stdout, stderr };
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("server refused the connection — switched to offline; the sale continues");
    expect(result.stderr.match(/switched to offline/g)).toHaveLength(1);
    expect(result.stderr).toMatch(
      /✖ line 3 "pay giftcard": Gift card payment is not available offline \(operation 214\)/,
    );
    const doc = JSON.parse(result.stdout);
    expect(doc.mode).toBe("offline-auto");
    expect(doc.failed).toHaveLength(1);
    expect(doc.receipts).toHaveLength(1);
    // The line bought online keeps its price; both lines are on the offline sale.
    expect(doc.receipts[0]).toMatchObject({ status: "pending", mode: "offline", total: 20.93 });

    const status = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: home.home });
    expect(JSON.parse(status.stdout)).toMatchObject({
      mode: "offline-auto",
      button: "Connect",
      pending: { count: 1 },
      server: { reachable: false },
    });
  });
});
