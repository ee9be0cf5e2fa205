import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

describe("pos register provision (without first sync)", () => {
  const t = tempHome();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(t.home);
  });
  afterAll(async () => {
    await server?.stop();
    t.remove();
  });

  it("runs the four steps, writes register.json with mode 0600 and creates the offline database", async () => {
    const r = await runPos(["--json", "register", "provision", "SEA01-R1", "--server", server.url], { home: t.home });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      steps: Array<{ step: number; outcome: string }>;
      alreadyProvisioned: boolean;
    };
    expect(result.steps.map((s) => [s.step, s.outcome])).toEqual([
      [1, "done"],
      [2, "done"],
      [3, "done"],
      [4, "skipped"],
    ]);
    expect(result.alreadyProvisioned).toBe(false);
    const file = join(t.home, "registers", "SEA01-R1", "register.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(file, "utf8")) as { database: string; deviceToken: string };
    expect(config.database).toBe("SEA01-R1-OFFLINE");
    const db = new Database(join(t.home, "registers", "SEA01-R1", "offline.db"), { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect((db.prepare("SELECT count(*) AS n FROM transactions").get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });

  it("provisioning again is idempotent and says what already existed", async () => {
    const before = readFileSync(join(t.home, "registers", "SEA01-R1", "register.json"), "utf8");
    const r = await runPos(["register", "provision", "SEA01-R1", "--server", server.url], { home: t.home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already provisioned/);
    expect(r.stderr).toMatch(/already existed/);
    const after = readFileSync(join(t.home, "registers", "SEA01-R1", "register.json"), "utf8");
    expect(JSON.parse(after).deviceToken).toBe(JSON.parse(before).deviceToken);
  });

  it("lists and shows local registers without the device token", async () => {
    const list = await runPos(["--json", "register", "list"], { home: t.home });
    expect(list.code, list.stderr).toBe(0);
    const { registers } = JSON.parse(list.stdout) as { registers: Array<{ register: string; mode: string }> };
    expect(registers.map((x) => [x.register, x.mode])).toEqual([["SEA01-R1", "online"]]);
    const show = await runPos(["register", "show", "SEA01-R1"], { home: t.home });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(/deviceToken/);
  });

  it("a hand-broken register.json exits 2 naming the file and the field", async () => {
    const file = join(t.home, "registers", "SEA01-R1", "register.json");
    const good = readFileSync(file, "utf8");
    try {
      writeFileSync(file, JSON.stringify({ ...JSON.parse(good), serverUrl: 42 }));
      chmodSync(file, 0o600);
      const r = await runPos(["register", "show", "SEA01-R1"], { home: t.home });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("register.json");
      expect(r.stderr).toContain("serverUrl");
    } finally {
      writeFileSync(file, good);
    }
  });

  it("an unknown register id is refused by HQ with a clear line", async () => {
    const r = await runPos(["register", "provision", "SEA01-R9", "--server", server.url], { home: t.home });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/SEA01-R9/);
  });

  it("server down: provisioning and sync exit 3 with one line", async () => {
    const down = "http://127.0.0.1:9"; // discard port: nothing listens there on loopback
    const p = await runPos(["register", "provision", "SEA01-R1", "--server", down], { home: t.home });
    expect(p.code).toBe(3);
    // A malformed id is bad input, said before anything talks to the (missing) server.
    const bad = await runPos(["register", "provision", "SEA01_R1", "--server", down], { home: t.home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BadRegisterId/);
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
    const other = tempHome();
    try {
      // A register whose server has gone away.
      const r = await runPos(
        ["register", "provision", "SEA01-R1", "--server", server.url, "--admin-token", server.adminToken],
        {
          home: other.home,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const file = join(other.home, "registers", "SEA01-R1", "register.json");
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), serverUrl: down }));
      const db = new Database(join(other.home, "registers", "SEA01-R1", "offline.db"));
      db.prepare(
        `INSERT INTO transactions (id, seq, store_id, staff_id, customer_id, total, currency, mode, created_at, status, status_at, body)
         VALUES ('SEA01-R1-000001', 1, 'SEA01', '000160', NULL, 100, 'USD', 'offline', '2026-01-01T00:00:00Z', 'pending', '2026-01-01T00:00:00Z', '{}')`,
      ).run();
      db.close();
      for (const cmd of [
        ["sync", "pull"],
        ["sync", "push"],
      ]) {
        const s = await runPos(cmd, { home: other.home });
        expect(s.code, `${cmd.join(" ")}: ${s.stderr}`).toBe(3);
        expect(s.stderr.trim().split("\n")).toHaveLength(1);
        expect(s.stderr).not.toMatch(/at .*\.js/);
      }
      const after = new Database(join(other.home, "registers", "SEA01-R1", "offline.db"), { readonly: true });
      expect(after.prepare("SELECT status FROM transactions").all()).toEqual([{ status: "pending" }]);
      after.close();
    } finally {
      other.remove();
    }
  });
});
