// End-to-end: a corrupted package fails the register's pull (checksum), suspends on the third try and blocks
// later sessions until `pos cdx rerun` or `pos cdx cancel`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome } from "../helpers/cli.js";
import { call, startServer, type TestServer } from "../helpers/server.js";
import { cdxCli, offlineContents, offlinePrice, sessionOf } from "./cdx-helpers.js";

const home = tempHome("pos-cdx-failures-e2e-");
const { pos, run, session, deviceToken } = cdxCli(home.home);
const OFFLINE = "SEA01-R1-OFFLINE";
let server: TestServer;

beforeAll(async () => {
  server = await startServer(home.home);
  const r = await pos(["register", "provision", "SEA01-R1", "--server", server.url, "--sync"]);
  if (r.code !== 0) throw new Error(`provision failed: ${r.stderr}`);
});
afterAll(async () => {
  await server?.stop();
  home.remove();
});

/** Sets the price of 1001 at SEA01 and runs 1040: the register's new session. */
async function priceSession(amount: string) {
  expect((await pos(["hq", "price", "set", "1001", "SEA01", amount])).code).toBe(0);
  return sessionOf(await run("1040"), OFFLINE);
}

/** Flips one byte of a package file on disk; answers the function that puts it back. */
function corrupt(file: string): () => void {
  expect(file.startsWith(join(home.home, "server", "packages"))).toBe(true);
  const original = readFileSync(file);
  const broken = Buffer.from(original);
  broken[Math.floor(broken.length / 2)] = (broken[Math.floor(broken.length / 2)] ?? 0) ^ 0x01;
  writeFileSync(file, broken);
  return () => writeFileSync(file, original);
}

async function failThreeTimes(id: number) {
  const before = offlineContents(home.home, "SEA01-R1");
  for (const [attempt, status] of [
    [1, "Apply failed"],
    [2, "Apply failed"],
    [3, "Suspended"],
  ] as const) {
    const pulled = await pos(["sync", "pull"]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toMatch(/checksum/);
    const s = await session(id);
    expect(s).toMatchObject({ status, attempts: attempt });
    expect(s.message).toMatch(/checksum/);
    expect(offlineContents(home.home, "SEA01-R1")).toEqual(before);
  }
}

describe("failed sessions", () => {
  it("suspends a corrupted package after three failed pulls; a rerun (package fixed) applies it and the next", async () => {
    const first = await priceSession("13.00");
    const restore = corrupt(first.file ?? "");
    await failThreeTimes(first.id);

    const second = await priceSession("14.00");
    const blocked = await pos(["sync", "pull"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(new RegExp(`pos cdx rerun ${first.id}`));
    expect((await session(second.id)).status).toBe("Available");
    const token = deviceToken("SEA01-R1");
    const early = await call(server.url, "GET", `/v1/sync/sessions/${second.id}/package`, { token });
    expect(early.status).toBe(409);
    expect(offlinePrice(home.home, "SEA01-R1", "1001")).toBe(999);

    restore();
    const rerun = await pos(["cdx", "rerun", String(first.id)]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`session ${first.id} .* is Available`));
    const pulled = await pos(["sync", "pull"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await session(first.id)).status).toBe("Applied");
    expect((await session(second.id)).status).toBe("Applied");
    expect(offlinePrice(home.home, "SEA01-R1", "1001")).toBe(1400);
  });

  it("cancel drops the suspended session and the later one of its job; the next run re-packages both changes", async () => {
    const third = await priceSession("15.00");
    corrupt(third.file ?? "");
    await failThreeTimes(third.id);
    const fourth = await priceSession("16.00");
    expect(fourth.fromVersion).toBe(third.toVersion);

    const canceled = await pos(["--json", "cdx", "cancel", String(third.id)]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(JSON.parse(canceled.stdout)).toMatchObject({
      session: { id: third.id, status: "Canceled" },
      alsoCanceled: [fourth.id],
      packagedVersion: third.fromVersion,
    });
    expect((await session(fourth.id)).status).toBe("Canceled");

    const next = await priceSession("16.50");
    expect(next).toMatchObject({ fromVersion: third.fromVersion, rows: { prices: 1 }, full: false });
    const pulled = await pos(["sync", "pull"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(offlinePrice(home.home, "SEA01-R1", "1001")).toBe(1650);
  });

  it("refuses to rerun or cancel a session that is already applied", async () => {
    const applied = await priceSession("17.00");
    expect((await pos(["sync", "pull"])).code).toBe(0);
    for (const verb of ["rerun", "cancel"]) {
      const r = await pos(["cdx", verb, String(applied.id)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is Applied/);
    }
  });
});
