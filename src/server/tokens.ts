// Admin and device tokens: random bearer secrets; devices are stored only as SHA-256 hashes.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Compares a presented token with the expected one in constant time (hashing first evens out lengths). */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(hashToken(presented), "hex"), Buffer.from(hashToken(expected), "hex"));
}

/** Reads the admin token file, creating it (mode 0600) with a new token on first start. */
export function ensureAdminToken(file: string): { token: string; created: boolean } {
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    if (token) {
      chmodSync(file, 0o600);
      return { token, created: false };
    }
  }
  const token = newToken("adm");
  // flag "w" with mode only applies on creation; chmod covers a file that existed empty.
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, created: true };
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
