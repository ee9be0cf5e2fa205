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

export async function signInStaff(
  hq: Db,
  channel: Db,
  device: Device,
  input: { staff: string; password: string },
  clock: Clock,
  verify: (plain: string, stored: string) => Promise<boolean> | boolean = verifyPassword,
): Promise<StaffSignInAnswer> {
  const logon = prepared<unknown[], LogonRow>(
    hq,
    "SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?",
  ).get(input.staff);
  if (logon?.blocked_at) throw blocked(input.staff);
  const row = prepared<unknown[], StaffRow>(channel, "SELECT * FROM staff WHERE id = ?").get(input.staff);
  const staff = row ? staffFromRow(row) : undefined;
  const mayWorkHere = row !== undefined && staff?.stores.includes(device.store) === true;
  // Every answer costs one scrypt: unknown ids and ids without access to this store are checked against a dummy
  // hash and answer like a wrong password, so neither the answer nor its timing hints which ids exist.
  const passwordMatches = await verify(input.password, mayWorkHere ? row.password_hash : DUMMY_PASSWORD_HASH);
  if (!mayWorkHere || !staff) {
    throw new ApiError(401, ERROR_CODES.invalidCredentials, "wrong staff id or password");
  }
  if (!passwordMatches) {
    const now = isoTime(clock.now());
    // Counted in one statement after the check: sign-ins of the same id verified side by side on the
    // thread pool each add one, none is lost to a read-modify-write race.
    const { failed_attempts: failures } = prepared(
      hq,
      `INSERT INTO staff_logon (staff_id, failed_attempts, last_failure_at, blocked_at) VALUES (?, 1, ?, NULL)
       ON CONFLICT (staff_id) DO UPDATE SET failed_attempts = failed_attempts + 1, last_failure_at = excluded.last_failure_at
       RETURNING failed_attempts`,
    ).get(input.staff, now) as { failed_attempts: number };
    const blockNow = failures >= MAX_FAILED_SIGN_INS;
    if (blockNow) {
      prepared(hq, "UPDATE staff_logon SET blocked_at = coalesce(blocked_at, ?) WHERE staff_id = ?").run(
        now,
        input.staff,
      );
      throw blocked(input.staff);
    }
    throw new ApiError(
      401,
      ERROR_CODES.invalidCredentials,
      `wrong staff id or password (${failures} of ${MAX_FAILED_SIGN_INS} attempts before the staff id is blocked)`,
    );
  }
  // A block recorded while this check ran on the thread pool wins over the right password.
  const after = prepared(hq, "SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?").get(
    input.staff,
  ) as LogonRow | undefined;
  if (after?.blocked_at) throw blocked(input.staff);
  if (after) prepared(hq, "DELETE FROM staff_logon WHERE staff_id = ?").run(input.staff);
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
  const logon = prepared<unknown[], LogonRow>(
    hq,
    "SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?",
  ).get(staff);
  prepared(hq, "DELETE FROM staff_logon WHERE staff_id = ?").run(staff);
  return { staff, wasBlocked: Boolean(logon?.blocked_at), failedAttempts: 0 };
}
