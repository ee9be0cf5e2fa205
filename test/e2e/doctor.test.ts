// End-to-end: `pos doctor` on a healthy register, then on each broken state in turn; the test runs the fix the
// doctor prints and expects a clean bill of health (exit 0) again.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunResult, runPos, tempHome } from "../helpers/cli.js";
import { buildSale, call, startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-doctor-e2e-");
const R = "SEA01-R1";
const OFFLINE_DB = join(home.home, "registers", R, "offline.db");
let server: TestServer;

const pos = (args: string[], input?: string): Promise<RunResult> =>
  runPos(args, { home: home.home, ...(input === undefined ? {} : { input }) });

interface DoctorCheck {
  register: string;
  id: string;
  status: "ok" | "warning" | "problem";
  message: string;
  fix: string | null;
}

async function doctor(): Promise<{ code: number | null; checks: DoctorCheck[]; stderr: string }> {
  const r = await pos(["--json", "doctor"]);
  return { code: r.code, checks: (JSON.parse(r.stdout) as { checks: DoctorCheck[] }).checks, stderr: r.stderr };
}

function problems(checks: DoctorCheck[]): DoctorCheck[] {
  return checks.filter((c) => c.status === "problem");
}

/** Runs every distinct fix of the problems, command by command, as a support engineer would paste them. */
async function runFixes(checks: DoctorCheck[]): Promise<string[]> {
  const fixes = [...new Set(problems(checks).map((c) => c.fix))];
  for (const fix of fixes) {
    expect(fix, JSON.stringify(checks)).toBeTruthy();
    for (const command of (fix ?? "").split(" && ")) {
      const words = command.split(" ");
      if (command.startsWith("pos server start")) {
        await server.stop();
        server = await startServer(home.home, words.slice(3));
      } else if (words[0] === "pos") {
        const r = await pos(words.slice(1));
        expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      } else if (words[0] === "chmod") {
        execFileSync("chmod", words.slice(1));
      } else {
        throw new Error(`not a command the test knows how to run: ${command}`);
      }
    }
  }
  return fixes as string[];
}

/** The broken state: exit 1 and a problem with this id whose message matches; then the fix brings exit 0. */
async function expectProblemThenFix(id: string, message: RegExp): Promise<string[]> {
  const broken = await doctor();
  expect(broken.code, JSON.stringify(broken.checks, null, 1)).toBe(1);
  expect(broken.stderr).toMatch(/DoctorFoundProblems: \d problem\(s\) found in SEA01-R1 — /);
  const found = broken.checks.find((c) => c.id === id);
  expect(found, JSON.stringify(broken.checks, null, 1)).toMatchObject({ status: "problem" });
  expect(found?.message).toMatch(message);
  const fixes = await runFixes(broken.checks);
  const healed = await doctor();
  expect(healed.code, JSON.stringify(problems(healed.checks), null, 1)).toBe(0);
  expect(problems(healed.checks)).toEqual([]);
  return fixes;
}

function sessionFile(answer: string): { id: number; file: string } {
  const run = JSON.parse(answer) as { sessions: Array<{ id: number; database: string; file: string | null }> };
  const s = run.sessions.find((x) => x.database === `${R}-OFFLINE`);
  if (!s?.file) throw new Error(`no session for ${R}: ${answer}`);
  return { id: s.id, file: s.file };
}

async function priceSession(amount: string): Promise<{ id: number; file: string }> {
  expect((await pos(["hq", "price", "set", "1001", "SEA01", amount])).code).toBe(0);
  const run = await pos(["--json", "cdx", "run", "1040", "--db", `${R}-OFFLINE`]);
  expect(run.code, run.stderr).toBe(0);
  return sessionFile(run.stdout);
}

const SALE = ["--json", "sale", "--register", R, "--staff", "000160", "--password", "1234"];

/** Sales stored offline: 917 first (operation Disconnect), then each sale paid by card; back online after. */
async function offlineSales(count: number): Promise<string[]> {
  const r = await pos(SALE, `917\n${"1001\npay card\n".repeat(count)}quit\n`);
  expect(r.code, r.stderr).toBe(0);
  const receipts = (JSON.parse(r.stdout) as { receipts: Array<{ id: string; status: string }> }).receipts;
  expect(receipts.map((x) => x.status)).toEqual(Array(count).fill("pending"));
  expect((await pos(["connect", "--register", R])).code).toBe(0);
  return receipts.map((x) => x.id);
}

beforeAll(async () => {
  server = await startServer(home.home);
  const r = await pos(["register", "provision", R, "--sync"]);
  if (r.code !== 0) throw new Error(`provision failed: ${r.stderr}`);
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos doctor walks the broken states and their fixes", () => {
  it("a healthy provisioned register: exit 0, every check ✔", async () => {
    const { code, checks } = await doctor();
    expect(code).toBe(0);
    expect(checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        "server.answers",
        "server.url",
        "server.token",
        "server.clock",
        "register.mode",
        "offline.readiness",
        "downloads.1040",
        "uploads.pending",
        "uploads.conflicts",
        "uploads.in-doubt",
        "database.integrity",
        "database.space",
        "database.modes",
        "database.numbers",
      ]),
    );
    const human = await pos(["doctor"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/✔ server\.answers +http:\/\/127\.0\.0\.1:\d+ answers/);
    expect(human.stdout).not.toMatch(/[⚠✘]/);
    expect(human.stdout).toMatch(/no problems found/);
  });

  it("server stopped: names the URL; the fix starts it on the same port", async () => {
    const port = new URL(server.url).port;
    await server.stop();
    const fixes = await expectProblemThenFix("server.answers", /does not answer \(server refused the connection\)/);
    expect(fixes).toEqual([`pos server start --port ${port}`]);
  });

  it("server restarted on a new port: the fix repoints the register", async () => {
    await server.stop();
    server = await startServer(home.home);
    const fixes = await expectProblemThenFix("server.url", /the server of this home runs at http:\/\/127\.0\.0\.1:\d+/);
    expect(fixes).toEqual([`pos register set ${R} --server ${server.url}`]);
  });

  it("device token revoked by a newer activation: the fix provisions again", async () => {
    const activated = await call(server.url, "POST", "/v1/devices/activate", {
      token: server.adminToken,
      body: { register: R },
    });
    expect(activated.status).toBe(201);
    const fixes = await expectProblemThenFix("server.token", /refuses the device token \(401/);
    expect(fixes).toEqual([`pos register provision ${R} --server ${server.url}`]);
  });

  it("a corrupt package Suspended: cancel and run the job again (a rerun would send the same bytes)", async () => {
    const session = await priceSession("13.00");
    const bytes = readFileSync(session.file);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x01;
    writeFileSync(session.file, bytes);
    for (let attempt = 0; attempt < 3; attempt++) expect((await pos(["sync", "pull"])).code).toBe(1);
    const fixes = await expectProblemThenFix(
      "downloads.1040",
      new RegExp(`session ${session.id} is Suspended.*checksum`),
    );
    expect(fixes).toEqual([
      `pos cdx cancel ${session.id} && pos cdx run 1040 --db ${R}-OFFLINE && pos sync pull --register ${R}`,
    ]);
  });

  it("1040 three sessions behind: the fix pulls", async () => {
    for (const amount of ["14.00", "15.00", "16.00"]) await priceSession(amount);
    const fixes = await expectProblemThenFix("downloads.1040", /^1040 is 3 sessions behind/);
    expect(fixes).toEqual([`pos sync pull --register ${R}`]);
  });

  it("5 pending sales older than a day: the fix pushes them", async () => {
    const ids = await offlineSales(5);
    // A day passes: the sales were stored a day and an hour ago.
    const db = new Database(OFFLINE_DB);
    const dayAgo = new Date(Date.now() - 25 * 3_600_000).toISOString();
    db.prepare("UPDATE transactions SET created_at = ? WHERE status = 'pending'").run(dayAgo);
    db.close();
    const fixes = await expectProblemThenFix(
      "uploads.pending",
      /^5 transaction\(s\) pending upload, the oldest 1d 1h old/,
    );
    expect(fixes).toEqual([`pos sync push --register ${R}`]);
    for (const id of ids) {
      expect((await call(server.url, "GET", `/v1/admin/transactions/${id}`, { token: server.adminToken })).status).toBe(
        200,
      );
    }
  });

  it("a conflict (the server holds other content under the id): the fix resends it under a new number", async () => {
    const [id = ""] = await offlineSales(1);
    const other = buildSale({
      id,
      store: "SEA01",
      register: R,
      currency: "USD",
      decimals: 2,
      lines: [{ item: "1002", price: 8.98, taxGroup: "standard", taxRate: 10.35 }],
    });
    const device = (
      JSON.parse(readFileSync(join(home.home, "registers", R, "register.json"), "utf8")) as {
        deviceToken: string;
      }
    ).deviceToken;
    const stored = await call(server.url, "POST", "/v1/transactions", { token: device, body: other });
    expect(stored.status, JSON.stringify(stored.body)).toBe(201);
    expect((await pos(["sync", "push"])).code).toBe(1);

    const listed = await pos(["--json", "sync", "conflicts"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      register: R,
      conflicts: [{ id, currency: "USD", total: expect.any(Number), lines: 1, reason: expect.stringMatching(/./) }],
    });
    const fixes = await expectProblemThenFix("uploads.conflicts", new RegExp(id));
    expect(fixes).toEqual([`pos sync conflicts resolve ${id} --resend --register ${R}`]);
    const db = new Database(OFFLINE_DB, { readonly: true });
    const audit = db.prepare("SELECT transaction_id, action, new_id FROM conflict_resolutions").all();
    const resent = db.prepare("SELECT id, status FROM transactions WHERE status = 'pending'").all();
    db.close();
    expect(audit).toEqual([{ transaction_id: id, action: "resend", new_id: expect.any(String) }]);
    expect(resent).toEqual([{ id: (audit[0] as { new_id: string }).new_id, status: "pending" }]);
    expect((await pos(["sync", "push"])).code).toBe(0);
  });

  it("the offline database made unreadable (mode 000): the fix restores its mode", async () => {
    chmodSync(OFFLINE_DB, 0o000);
    const fixes = await expectProblemThenFix("database.modes", /offline\.db has mode 000/);
    expect(fixes).toEqual([`chmod 600 ${OFFLINE_DB}`]);
  });

  it("the offline database overwritten with garbage: the fix resets it (set aside, numbering kept) and refills it", async () => {
    const before = new Database(OFFLINE_DB, { readonly: true });
    const reservedTo = (before.prepare("SELECT reserved_to FROM number_sequence").get() as { reserved_to: number })
      .reserved_to;
    before.close();
    writeFileSync(OFFLINE_DB, Buffer.alloc(8192, 0x5a));
    const fixes = await expectProblemThenFix(
      "database.integrity",
      /offline\.db: the offline database of register SEA01-R1 is damaged/,
    );
    expect(fixes).toEqual([
      `pos register reset ${R} --yes && pos cdx run 9999 --full --db ${R}-OFFLINE && pos sync pull --register ${R}`,
    ]);
    // The next sale continues above every number handed out before.
    const [next = ""] = await offlineSales(1);
    expect(Number(next.split("-")[2])).toBeGreaterThan(reservedTo);
  });

  it("bad usage is exit 2: an unknown register, an unknown option", async () => {
    const unknown = await pos(["doctor", "--register", "NOPE-R9"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/register NOPE-R9 is not provisioned/);
    expect((await pos(["doctor", "--bogus"])).code).toBe(2);
  });
});
