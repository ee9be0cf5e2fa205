// The register's sync client end to end: first sync completeness, the Connection status window, a pull killed mid-apply.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFixtures } from "../../fixtures/generate.js";
import { runPos, spawnPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const MASTER_TABLES = [
  "products",
  "barcodes",
  "prices",
  "customers",
  "staff",
  "stores",
  "tax_groups",
  "tenders",
  "registers",
  "offline_profiles",
];

function counts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(
      MASTER_TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

describe("pos register provision --sync and pos sync status", () => {
  const t = tempHome("pos-regsync-");
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(t.home);
  });
  afterAll(async () => {
    await server?.stop();
    t.remove();
  });

  it("the offline database holds exactly the store's data that the server's channel database holds", async () => {
    const r = await runPos(["register", "provision", "SEA01-R1", "--server", server.url, "--sync"], { home: t.home });
    expect(r.code, r.stderr).toBe(0);
    const offline = counts(join(t.home, "registers", "SEA01-R1", "offline.db"));
    const channel = counts(join(t.home, "server", "channel-SEA01.db"));
    expect(offline).toEqual(channel);
    expect(offline.products).toBe(320);
    expect(offline.prices).toBe(320);
    expect(offline.staff).toBeGreaterThan(0);
  });

  it("pos sync status --json: one Applied session per job, the last download, nothing pending", async () => {
    const r = await runPos(["--json", "sync", "status"], { home: t.home });
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as {
      mode: string;
      jobs: Array<{ job: string; session: number }>;
      lastDownload: { result: string; sessions: number } | null;
      pending: { count: number };
    };
    expect(status.jobs.map((j) => j.job)).toEqual(["1010", "1040", "1060", "1070", "1090"]);
    expect(new Set(status.jobs.map((j) => j.session)).size).toBe(5);
    expect(status.lastDownload).toMatchObject({ result: "ok", sessions: 5 });
    expect(status).toMatchObject({ mode: "online", pending: { count: 0 } });
    // Each round reported the register's offline status to HQ.
    const registers = await runPos(["--json", "cdx", "registers"], { home: t.home });
    expect(registers.code, registers.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(registers.stdout))).toContain("SEA01-R1");
  });
});

describe("pos sync pull killed with SIGKILL while applying a large package", () => {
  const t = tempHome("pos-pullkill-");
  let server: TestServer;
  const offlineDb = () => join(t.home, "registers", "SEA01-R1", "offline.db");

  beforeAll(async () => {
    await generateFixtures({ products: 150_000, seed: 3, out: join(t.home, "catalog") });
    server = await startServer(t.home, ["--fixtures", join(t.home, "catalog")], 120_000);
    const p = await runPos(["register", "provision", "SEA01-R1", "--server", server.url], { home: t.home });
    expect(p.code, p.stderr).toBe(0);
    const run = await runPos(["cdx", "run", "9999", "--db", "SEA01-R1-OFFLINE"], { home: t.home, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    t.remove();
  });

  it("leaves the offline database as it was; the next pull applies the package once", async () => {
    const before = counts(offlineDb());
    const child = spawnPos(["--verbose", "sync", "pull"], { home: t.home });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("close", (_code, signal) => resolve(signal)),
    );
    // The process says when the big package is part-way into its one open transaction: kill it there.
    // The marker comes after 50,000 of the ~450,000 changes, so the kill lands well before the commit.
    await new Promise<void>((resolve, reject) => {
      let stderr = "";
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        if (/job 1040\): \d+ rows applied so far, not committed/.test(stderr)) resolve();
      });
      child.on("close", () => reject(new Error(`the pull ended before the apply was under way:\n${stderr}`)));
    });
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const afterKill = counts(offlineDb());
    expect(afterKill.products).toBe(before.products);
    expect(afterKill.prices).toBe(before.prices);
    const db = new Database(offlineDb(), { readonly: true });
    try {
      expect(db.pragma("quick_check", { simple: true })).toBe("ok");
      expect(db.prepare("SELECT count(*) AS n FROM applied_sessions WHERE job = '1040'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }

    const again = await runPos(["--json", "sync", "pull"], { home: t.home, timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    const final = counts(offlineDb());
    expect(final.products).toBe(150_000);
    expect(final.prices).toBe(150_000);
    const check = new Database(offlineDb(), { readonly: true });
    try {
      expect(check.prepare("SELECT count(*) AS n FROM applied_sessions WHERE job = '1040'").get()).toEqual({ n: 1 });
    } finally {
      check.close();
    }
    const nothing = JSON.parse((await runPos(["--json", "sync", "pull"], { home: t.home })).stdout) as {
      applied: number;
    };
    expect(nothing.applied).toBe(0);
  }, 180_000);
});
