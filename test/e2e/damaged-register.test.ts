// A register's files damaged (SPEC §4.3, "no number used twice"): offline.db missing, empty, truncated, corrupt or a
// folder, register.json or state.json unreadable or contradicting its folder — exit 2 naming the file, nothing
// recreated, and numbering that never repeats after a restore or `pos register reset`.
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { scriptedSaleArgs } from "../helpers/sale-process.js";
import { startServer, type TestServer } from "../helpers/server.js";

const sale = (register = "SEA01-R1") => scriptedSaleArgs(register);

describe("a damaged register home", () => {
  const t = tempHome("pos-damaged-");
  let server: TestServer;
  const dir = (register = "SEA01-R1") => join(t.home, "registers", register);
  const db = () => join(dir(), "offline.db");
  const ids: string[] = [];

  /** One offline sale (917 first): pending upload in offline.db. */
  const sellOffline = async () => {
    const r = await runPos(sale(), { home: t.home, input: "917\n1001\npay card\nquit\n" });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { receipts: Array<{ id: string; status: string }> };
    expect(doc.receipts[0]?.status).toBe("pending");
    ids.push(doc.receipts[0]?.id as string);
    const c = await runPos(["connect", "--register", "SEA01-R1"], { home: t.home });
    expect(c.code, c.stderr).toBe(0);
    return doc.receipts[0]?.id as string;
  };
  const expectRefused = async (args: string[], file: string, input = "") => {
    const r = await runPos(args, { home: t.home, input });
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(r.stderr).not.toMatch(/internal error|please report|at .*\.js:\d+/);
    return lines[0] as string;
  };
  const backup = () => {
    for (const suffix of ["", "-wal"]) {
      if (existsSync(db() + suffix)) copyFileSync(db() + suffix, `${db()}${suffix}.bak`);
    }
  };
  const restore = () => {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(db() + suffix, { force: true, recursive: true });
    for (const suffix of ["", "-wal"]) {
      if (existsSync(`${db()}${suffix}.bak`)) copyFileSync(`${db()}${suffix}.bak`, db() + suffix);
    }
  };
  const seqs = () => ids.map((id) => Number(id.slice(id.lastIndexOf("-") + 1)));

  beforeAll(async () => {
    server = await startServer(t.home);
    await provisionTestRegister(t.home, server.url, "SEA01-R1");
    await provisionTestRegister(t.home, server.url, "SEA01-R2", { seedOffline: false });
  });
  afterAll(async () => {
    await server?.stop();
    t.remove();
  });

  it("offline.db deleted, emptied, truncated, page-corrupted or a folder: exit 2 naming it, nothing recreated", async () => {
    await sellOffline();
    backup();
    await sellOffline();
    const damages: Array<[string, () => void]> = [
      ["deleted", () => rmSync(db())],
      ["emptied", () => truncateSync(db(), 0)],
      ["truncated", () => truncateSync(db(), Math.floor(statSync(db()).size / 3))],
      [
        "page-corrupted",
        () => {
          const fd = openSync(db(), "r+");
          try {
            const size = statSync(db()).size;
            for (let at = 4096; at < size; at += 4096) writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, at + 8);
          } finally {
            closeSync(fd);
          }
        },
      ],
      [
        "a folder",
        () => {
          rmSync(db());
          mkdirSync(db());
        },
      ],
    ];
    for (const [what, damage] of damages) {
      // Checkpointed state: the damage hits the main file itself.
      for (const suffix of ["", "-wal", "-shm"]) rmSync(db() + suffix, { force: true, recursive: true });
      copyFileSync(`${db()}.bak`, db());
      if (existsSync(`${db()}-wal.bak`)) copyFileSync(`${db()}-wal.bak`, `${db()}-wal`);
      const c = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: t.home });
      expect(c.code, `${what}: ${c.stderr}`).toBe(0);
      // fold the WAL into the file so the damage below is to real pages
      const { default: Database } = await import("better-sqlite3");
      const h = new Database(db());
      h.pragma("wal_checkpoint(TRUNCATE)");
      h.close();
      rmSync(`${db()}-wal`, { force: true });
      rmSync(`${db()}-shm`, { force: true });
      damage();
      const before = existsSync(db()) ? statSync(db()) : null;
      const line = await expectRefused(sale(), db(), "1001\npay card\nquit\n");
      expect(line, what).toContain("OfflineDatabaseDamaged");
      expect(line, what).toContain("pos register reset SEA01-R1");
      await expectRefused(["sync", "push", "--register", "SEA01-R1"], db());
      // nothing was recreated or changed
      const after = existsSync(db()) ? statSync(db()) : null;
      expect(after?.size, what).toBe(before?.size);
      expect(after?.isDirectory() ?? false, what).toBe(before?.isDirectory() ?? false);
      // pos status shows the damage instead of failing
      const st = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: t.home });
      expect(st.code, st.stderr).toBe(0);
      expect(JSON.parse(st.stdout).database.integrity, what).not.toBe("ok");
    }
  });

  it("a restored older copy never reuses a number; neither does a database made by pos register reset", async () => {
    restore(); // the backup holds the first sale only: the second sale's number must not come back
    await sellOffline();
    expect(seqs()[2]).toBeGreaterThan(seqs()[1] as number);

    truncateSync(db(), 0);
    const noYes = await runPos(["register", "reset", "SEA01-R1"], { home: t.home });
    expect(noYes.code).toBe(2);
    expect(statSync(db()).size).toBe(0);
    const reset = await runPos(["--json", "register", "reset", "SEA01-R1", "--yes"], { home: t.home });
    expect(reset.code, reset.stderr).toBe(0);
    const doc = JSON.parse(reset.stdout) as { setAsideTo: string; numbersAbove: number };
    expect(existsSync(doc.setAsideTo)).toBe(true);
    expect(doc.numbersAbove).toBeGreaterThanOrEqual(seqs()[2] as number);
    // the reset database has no master data: sell online
    const r = await runPos(sale(), { home: t.home, input: "1001\npay card\nquit\n" });
    expect(r.code, r.stderr).toBe(0);
    ids.push((JSON.parse(r.stdout) as { receipts: Array<{ id: string }> }).receipts[0]?.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seqs()[3]).toBeGreaterThan(seqs()[2] as number);
  });

  it("a readable database with sales not yet uploaded is never reset", async () => {
    // the reset database needs its master data again: a full package of every job, then pull
    const run = await runPos(["cdx", "run", "9999", "--full", "--db", "SEA01-R1-OFFLINE"], { home: t.home });
    expect(run.code, run.stderr).toBe(0);
    const pull = await runPos(["sync", "pull", "--register", "SEA01-R1"], { home: t.home });
    expect(pull.code, pull.stderr).toBe(0);
    await sellOffline();
    const reset = await runPos(["register", "reset", "SEA01-R1", "--yes"], { home: t.home });
    expect(reset.code).toBe(1);
    expect(reset.stderr).toContain("pos sync push");
  });

  it("register.json or state.json unreadable, a folder, or contradicting its folder: exit 2 naming file and field", async () => {
    const config = join(dir("SEA01-R2"), "register.json");
    const state = join(dir("SEA01-R2"), "state.json");
    const good = readFileSync(config, "utf8");
    const cases: Array<[string, () => void, string, RegExp]> = [
      [
        "registerId of another register",
        () => writeFileSync(config, good.replace('"registerId": "SEA01-R2"', '"registerId": "SEA01-R1"')),
        config,
        /field registerId/,
      ],
      [
        "store of another store",
        () => writeFileSync(config, good.replace('"store": "SEA01"', '"store": "TYO01"')),
        config,
        /field store/,
      ],
      [
        "register.json a folder",
        () => {
          rmSync(config);
          mkdirSync(config);
        },
        config,
        /folder/,
      ],
      ["state.json a folder", () => mkdirSync(state, { recursive: true }), state, /folder/],
    ];
    for (const [what, damage, file, field] of cases) {
      rmSync(config, { recursive: true, force: true });
      writeFileSync(config, good, { mode: 0o600 });
      rmSync(state, { recursive: true, force: true });
      damage();
      for (const args of [
        sale("SEA01-R2"),
        ["status", "--register", "SEA01-R2"],
        ["disconnect", "--register", "SEA01-R2"],
      ]) {
        const line = await expectRefused(args, file, "1001\npay card\nquit\n");
        expect(line, `${what}: ${args[0]}`).toMatch(field);
      }
    }
    rmSync(config, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
    writeFileSync(config, good, { mode: 0o600 });
  });
});
