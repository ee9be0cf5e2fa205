// Sign-in costs one scrypt verification whatever the staff id: unknown ids are checked against a dummy hash.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/lib/clock.js";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../../src/lib/password.js";
import { createOfflineStore } from "../../src/offline/offline-store.js";
import { createOfflineSource } from "../../src/register/offline-source.js";
import { openOfflineDatabase } from "../../src/schema/offline.js";
import { openChannelDatabase } from "../../src/server/channel-db.js";
import { openSqliteHq } from "../../src/server/hq/sqlite.js";
import { signInStaff } from "../../src/server/staff-signin.js";

const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
const known = hashPassword("1234", Buffer.alloc(16, 1));
const STAFF = `INSERT INTO staff VALUES ('000160', 'Alex Kim', 'cashier', '${known}', '["SEA01"]', '[]'),
  ('000260', 'Aiko Sato', 'cashier', '${hashPassword("1234", Buffer.alloc(16, 2))}', '["TYO01"]', '[]')`;

/** A verifier that records the hash it was asked to check, then checks it for real. */
function countingVerifier() {
  const calls: string[] = [];
  const verify = (plain: string, stored: string) => {
    calls.push(stored);
    return verifyPassword(plain, stored);
  };
  return { calls, verify };
}

// Each attempt: staff id, password, whether it signs in, which hash the one verification used.
const attempts: [string, string, string, boolean, string][] = [
  ["a known id, right password", "000160", "1234", true, known],
  ["a known id, wrong password", "000160", "bad", false, known],
  ["an unknown id", "999999", "1234", false, DUMMY_PASSWORD_HASH],
  ["an id of another store", "000260", "1234", false, DUMMY_PASSWORD_HASH],
];

describe("the dummy hash", () => {
  it("has hashPassword's parameters and matches no password", async () => {
    const params = (h: string) => h.split("$").slice(0, 4).join("$");
    expect(params(DUMMY_PASSWORD_HASH)).toBe(params(hashPassword("x")));
    for (const plain of ["", "1234", "9999", "password"])
      expect(await verifyPassword(plain, DUMMY_PASSWORD_HASH)).toBe(false);
  });
});

describe("server sign-in (POST /v1/staff/signin)", () => {
  it.each(attempts)("%s: exactly one verification", async (_name, staff, password, ok, hash) => {
    const hq = openSqliteHq(":memory:");
    const channel = openChannelDatabase(":memory:");
    try {
      channel.exec(STAFF);
      const { calls, verify } = countingVerifier();
      const device = { register: "SEA01-R1", store: "SEA01" };
      const signIn = () => signInStaff(hq, channel, device, { staff, password }, clock, verify);
      if (ok) expect((await signIn()).staff.id).toBe(staff);
      else await expect(signIn()).rejects.toThrow(/wrong staff id or password/);
      expect(calls).toEqual([hash]);
    } finally {
      await hq.close();
      channel.close();
    }
  });
});

describe("offline sign-in (the register's offline database)", () => {
  it.each(attempts)("%s: exactly one verification", async (_name, staff, password, ok, hash) => {
    const db = openOfflineDatabase(":memory:");
    try {
      db.exec(STAFF);
      const { calls, verify } = countingVerifier();
      const source = createOfflineSource(createOfflineStore(db), "SEA01-R1", "SEA01", clock, verify);
      const signIn = source.signIn(staff, password);
      if (ok) await expect(signIn).resolves.toMatchObject({ id: staff });
      else await expect(signIn).rejects.toThrow(/wrong staff id or password/);
      expect(calls).toEqual([hash]);
    } finally {
      db.close();
    }
  });
});
