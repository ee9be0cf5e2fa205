// Staff password hashes (scrypt), so neither HQ nor an offline database ever holds a plaintext password.
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// Bounds for parameters read from a stored hash, so a forged row cannot make sign-in burn seconds or gigabytes.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

/** `scrypt$16384$8$1$<saltB64>$<hashB64>`; pass a salt only where output must be reproducible (fixtures). */
export function hashPassword(plain: string, salt: Buffer = randomBytes(SALT_LENGTH)): string {
  const hash = scryptSync(plain.normalize("NFC"), salt, KEY_LENGTH, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/**
 * Matches no password (random salt and key, hashed from nothing), with hashPassword's parameters: sign-in checks an
 * unknown staff id against it, so the answer takes one scrypt like a known id's and does not tell which ids exist.
 */
export const DUMMY_PASSWORD_HASH = `scrypt$${N}$${R}$${P}$D7pWJ9D1QCy71KfntppUBQ==$BbKOB/DrKbos9eQKTKLuAYlHlK/7VoNGPieSuMI/5/4=`;

/** False for a wrong password and for a stored value that is not a hash this module can check. */
export function verifyPassword(plain: string, stored: string): boolean {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map((v) => (/^\d+$/.test(v ?? "") ? Number(v) : Number.NaN)) as [
    number,
    number,
    number,
  ];
  const validN = Number.isSafeInteger(n) && n > 1 && n <= MAX_N && (n & (n - 1)) === 0;
  if (!validN || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return false;
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const expected = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = scryptSync(plain.normalize("NFC"), salt, expected.length, {
    N: n,
    r,
    p,
    maxmem: 256 * n * r + 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}
