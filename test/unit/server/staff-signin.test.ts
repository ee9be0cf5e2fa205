import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, auth, createHarness, type Harness } from "./harness.js";

let h: Harness;
let r1: string;
beforeAll(async () => {
  h = await createHarness();
  r1 = await h.device("SEA01-R1");
});
afterAll(async () => {
  await h.close();
});

const signIn = (staff: string, password: string, token = r1) =>
  h.app.inject({ method: "POST", url: "/v1/staff/signin", headers: auth(token), payload: { staff, password } });

describe("staff sign-in", () => {
  it("refuses staff of another store like a wrong password", async () => {
    const r = await signIn("000260", "1234");
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("InvalidCredentials");
  });

  it("lets staff with access to several stores sign in at each", async () => {
    expect((await signIn("000300", "9999")).statusCode).toBe(200);
    expect((await signIn("000300", "9999", await h.device("TYO01-R1"))).statusCode).toBe(200);
  });

  it("resets the count on success, blocks on the fifth consecutive failure with the clock's time", async () => {
    for (let i = 0; i < 4; i++) expect((await signIn("000160", "bad")).statusCode).toBe(401);
    expect((await signIn("000160", "1234")).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await signIn("000160", "bad")).statusCode).toBe(401);
    h.clock.advance(5 * 60_000);
    const fifth = await signIn("000160", "bad");
    expect(fifth.statusCode).toBe(403);
    expect(fifth.json().error.code).toBe("UserBlockedDueToTooManyFailedLogonAttempts");
    const row = h.hqDb.prepare("SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?").get("000160");
    expect(row).toEqual({ failed_attempts: 5, blocked_at: "2026-01-01T09:05:00.000Z" });
    expect((await signIn("000160", "1234")).statusCode).toBe(403);
    const unblock = await h.app.inject({ method: "POST", url: "/v1/admin/staff/000160/unblock", headers: auth(ADMIN) });
    expect(unblock.json()).toEqual({ staff: "000160", wasBlocked: true, failedAttempts: 0 });
    expect((await signIn("000160", "1234")).statusCode).toBe(200);
  });

  it("counts failures checked side by side on the thread pool: five at once block the id", async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => signIn("000161", "bad")));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([401, 401, 401, 401, 403]);
    const row = h.hqDb.prepare("SELECT failed_attempts FROM staff_logon WHERE staff_id = ?").get("000161");
    expect(row).toEqual({ failed_attempts: 5 });
    expect((await signIn("000161", "1234")).statusCode).toBe(403);
  });

  it("answers an unknown staff id like a wrong password and records nothing for it", async () => {
    const r = await signIn("999999", "1234");
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toEqual({ code: "InvalidCredentials", message: "wrong staff id or password" });
    expect(h.hqDb.prepare("SELECT * FROM staff_logon WHERE staff_id = ?").get("999999")).toBeUndefined();
  });
});
