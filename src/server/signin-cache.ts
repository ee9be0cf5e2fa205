// Recently verified sign-ins, so a register signing in again (shift change, sign-in storm) costs no scrypt run.
import { createHmac, randomBytes } from "node:crypto";
import { verifyPassword } from "../lib/password.js";

export interface SignInCache {
  /** verifyPassword, answered from memory when this staff id, hash and password were verified recently. */
  verify(staff: string, storedHash: string, password: string): Promise<boolean>;
}

export interface SignInCacheOptions {
  now: () => number;
  /** How long a verified sign-in is remembered (default 15 minutes). */
  ttlMs?: number;
  /** Entries kept at most (the oldest go first). */
  max?: number;
}

/**
 * Only successes are remembered, keyed by an HMAC (a key made per process) of staff id, stored hash and
 * password: memory never holds a password, a changed password or hash misses, and every wrong password and
 * unknown id still pays the full scrypt cost. Checks of the same key in flight share one scrypt run, so a storm
 * of registers signing in with the same cashier costs one. Like a token cache in front of an expensive
 * authenticator, a hit answers faster — only for someone who already knows the password.
 */
export function createSignInCache(options: SignInCacheOptions): SignInCache {
  const secret = randomBytes(32);
  const ttl = options.ttlMs ?? 15 * 60_000;
  const max = options.max ?? 10_000;
  const verified = new Map<string, number>();
  const inFlight = new Map<string, Promise<boolean>>();
  return {
    async verify(staff, storedHash, password) {
      const key = createHmac("sha256", secret).update(`${staff}\u0000${storedHash}\u0000${password}`).digest("base64");
      const until = verified.get(key);
      if (until !== undefined && until > options.now()) return true;
      if (until !== undefined) verified.delete(key);
      const running = inFlight.get(key);
      if (running) return running;
      const check = verifyPassword(password, storedHash).finally(() => inFlight.delete(key));
      inFlight.set(key, check);
      const ok = await check;
      if (ok) {
        if (verified.size >= max) verified.delete(verified.keys().next().value as string);
        verified.set(key, options.now() + ttl);
      }
      return ok;
    },
  };
}
