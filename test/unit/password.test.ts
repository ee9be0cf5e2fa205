import { describe, expect, it } from "vitest";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../../src/lib/password.js";

describe("password hashes", () => {
  const stored = hashPassword("1234");

  it("stores scrypt parameters, salt and hash, never the password", () => {
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(stored).not.toContain("1234");
  });

  it.each([
    ["1234", true],
    ["12345", false],
    ["123", false],
    ["", false],
    [" 1234", false],
  ])("verifyPassword(%j) = %s", async (plain, ok) => {
    expect(await verifyPassword(plain, stored)).toBe(ok);
  });

  it("salts: the same password hashes differently each time unless the salt is given", () => {
    const salt = Buffer.alloc(16, 7);
    expect(hashPassword("1234")).not.toBe(stored);
    expect(hashPassword("1234", salt)).toBe(hashPassword("1234", salt));
  });

  it("treats composed and decomposed accents as the same password", async () => {
    expect(await verifyPassword("cafe\u0301", hashPassword("caf\u00e9"))).toBe(true);
  });

  const [, n, r, p, salt, hash] = stored.split("$");
  it.each([
    ["empty", ""],
    ["another scheme", `bcrypt$${n}$${r}$${p}$${salt}$${hash}`],
    ["a missing part", `scrypt$${n}$${r}$${p}$${hash}`],
    ["N not a power of two", `scrypt$16383$${r}$${p}$${salt}$${hash}`],
    ["N far too large", `scrypt$1073741824$${r}$${p}$${salt}$${hash}`],
    ["r out of range", `scrypt$${n}$0$${p}$${salt}$${hash}`],
    ["p not a number", `scrypt$${n}$${r}$x$${salt}$${hash}`],
    ["no salt", `scrypt$${n}$${r}$${p}$$${hash}`],
    ["a truncated hash", `scrypt$${n}$${r}$${p}$${salt}$AAAA`],
    ["a tampered hash", `scrypt$${n}$${r}$${p}$${salt}$${Buffer.alloc(32).toString("base64")}`],
  ])("refuses a stored value with %s", async (_, bad) => {
    expect(await verifyPassword("1234", bad)).toBe(false);
  });

  it("never matches the dummy hash that unknown staff ids are checked against", async () => {
    expect(DUMMY_PASSWORD_HASH).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("", DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword("1234", DUMMY_PASSWORD_HASH)).toBe(false);
  });

  it("derives the key off the event loop: a callback queued after the call runs before the answer", async () => {
    let loopTurned = false;
    const check = verifyPassword("1234", stored);
    setImmediate(() => {
      loopTurned = true;
    });
    expect(await check).toBe(true);
    expect(loopTurned).toBe(true);
  });
});
