import { describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import * as password from "../../../src/lib/password.js";
import { createSignInCache } from "../../../src/server/signin-cache.js";

const stored = password.hashPassword("1234");

describe("sign-in cache", () => {
  it("runs scrypt once for a storm of the same sign-in, then answers from memory until the entry expires", async () => {
    const clock = new VirtualClock(0);
    const spy = vi.spyOn(password, "verifyPassword");
    const cache = createSignInCache({ now: () => clock.now(), ttlMs: 60_000 });
    const storm = await Promise.all(Array.from({ length: 10 }, () => cache.verify("000160", stored, "1234")));
    expect(storm.every(Boolean)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await cache.verify("000160", stored, "1234")).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    clock.advance(60_001);
    expect(await cache.verify("000160", stored, "1234")).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it("never remembers a failure, and a changed hash or password misses", async () => {
    const spy = vi.spyOn(password, "verifyPassword");
    const cache = createSignInCache({ now: () => 0 });
    expect(await cache.verify("000160", stored, "bad")).toBe(false);
    expect(await cache.verify("000160", stored, "bad")).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(await cache.verify("000160", stored, "1234")).toBe(true);
    expect(await cache.verify("000160", password.hashPassword("1234"), "1234")).toBe(true);
    expect(await cache.verify("000160", stored, "12345")).toBe(false);
    expect(spy).toHaveBeenCalledTimes(5);
    spy.mockRestore();
  });
});
