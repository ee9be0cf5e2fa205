// Online staff sign-in against the channel database's staff (job 1060), with the five-failures block.
import { ERROR_CODES, type Staff, type StaffSignInAnswer, type StaffUnblockAnswer } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import { type Db, prepared } from "../lib/db.js";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../lib/password.js";
import { ApiError, notFound } from "./api-error.js";
import type { Device } from "./devices.js";
import { isoTime } from "./statements.js";

/** D365 blocks a staff id after this many consecutive failed sign-ins, until a manager unblocks it. */
export const MAX_FAILED_SIGN_INS = 5;

interface StaffRow {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  stores: string;
  permissions: string;
}

interface LogonRow {
  failed_attempts: number;
  blocked_at: string | null;
}

const blocked = (staff: string) =>
  new ApiError(
    403,
    ERROR_CODES.userBlocked,
    `staff ${staff} is blocked after ${MAX_FAILED_SIGN_INS} failed sign-in attempts; a manager can unblock it (pos hq staff unblock ${staff})`,
  );

export function signInStaff(
  hq: Db,
  channel: Db,
  device: Device,
  input: { staff: string; password: string },
  clock: Clock,
  verify: (plain: string, stored: string) => boolean = verifyPassword,
): StaffSignInAnswer {
  const logon = prepared(hq, "SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?").get(
    input.staff,
  ) as LogonRow | undefined;
  if (logon?.blocked_at) throw blocked(input.staff);
  const row = prepared(channel, "SELECT * FROM staff WHERE id = ?").get(input.staff) as StaffRow | undefined;
  const staff = row ? staffFromRow(row) : undefined;
  const mayWorkHere = row !== undefined && staff?.stores.includes(device.store) === true;
  // Every answer costs one scrypt: unknown ids and ids without access to this store are checked against a dummy
  // hash and answer like a wrong password, so neither the answer nor its timing hints which ids exist.
  const passwordMatches = verify(input.password, mayWorkHere ? row.password_hash : DUMMY_PASSWORD_HASH);
  if (!mayWorkHere || !staff) {
    throw new ApiError(401, ERROR_CODES.invalidCredentials, "wrong staff id or password");
  }
  if (!passwordMatches) {
    const now = isoTime(clock.now());
    const failures = (logon?.failed_attempts ?? 0) + 1;
    const blockNow = failures >= MAX_FAILED_SIGN_INS;
    prepared(
      hq,
      "INSERT OR REPLACE INTO staff_logon (staff_id, failed_attempts, last_failure_at, blocked_at) VALUES (?, ?, ?, ?)",
    ).run(input.staff, failures, now, blockNow ? now : null);
    if (blockNow) throw blocked(input.staff);
    throw new ApiError(
      401,
      ERROR_CODES.invalidCredentials,
      `wrong staff id or password (${failures} of ${MAX_FAILED_SIGN_INS} attempts before the staff id is blocked)`,
    );
  }
  if (logon) prepared(hq, "DELETE FROM staff_logon WHERE staff_id = ?").run(input.staff);
  return { staff, register: device.register, store: device.store, signedInAt: isoTime(clock.now()) };
}

export function staffFromRow(row: Omit<StaffRow, "password_hash">): Staff {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    stores: parseList(row.stores),
    permissions: parseList(row.permissions),
  };
}

function parseList(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

/** Clears a staff id's failed attempts and block (a manager's action at HQ). */
export function unblockStaff(hq: Db, staff: string): StaffUnblockAnswer {
  if (!prepared(hq, "SELECT 1 FROM staff WHERE id = ?").get(staff))
    throw notFound(`staff ${staff} is not defined at HQ`);
  const logon = prepared(hq, "SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?").get(staff) as
    | LogonRow
    | undefined;
  prepared(hq, "DELETE FROM staff_logon WHERE staff_id = ?").run(staff);
  return { staff, wasBlocked: Boolean(logon?.blocked_at), failedAttempts: 0 };
}
