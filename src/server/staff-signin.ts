// Online staff sign-in against the channel database's staff (job 1060), with the five-failures block.
import { ERROR_CODES, type Staff, type StaffSignInAnswer, type StaffUnblockAnswer } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import { type Db, prepared } from "../lib/db.js";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../lib/password.js";
import { ApiError, notFound } from "./api-error.js";
import type { Device } from "./devices.js";
import type { HqStore, StaffLogonStore } from "./hq/store.js";
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

const blocked = (staff: string) =>
  new ApiError(
    403,
    ERROR_CODES.userBlocked,
    `staff ${staff} is blocked after ${MAX_FAILED_SIGN_INS} failed sign-in attempts; a manager can unblock it (pos hq staff unblock ${staff})`,
  );

export async function signInStaff(
  /** HQ's lockout (--role all), or a store server's own (--role store). */
  hq: { readonly staffLogon: StaffLogonStore },
  channel: Db,
  device: Device,
  input: { staff: string; password: string },
  clock: Clock,
  verify: (plain: string, stored: string) => Promise<boolean> | boolean = verifyPassword,
): Promise<StaffSignInAnswer> {
  const logon = await hq.staffLogon.find(input.staff);
  if (logon?.blockedAt) throw blocked(input.staff);
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
    // Counted after the check: sign-ins of the same id verified side by side on the thread pool each add one,
    // none is lost to a read-modify-write race.
    const { failures, blocked: blockNow } = await hq.staffLogon.recordFailure(
      input.staff,
      isoTime(clock.now()),
      MAX_FAILED_SIGN_INS,
    );
    if (blockNow) throw blocked(input.staff);
    throw new ApiError(
      401,
      ERROR_CODES.invalidCredentials,
      `wrong staff id or password (${failures} of ${MAX_FAILED_SIGN_INS} attempts before the staff id is blocked)`,
    );
  }
  // A block recorded while this check ran on the thread pool wins over the right password.
  if ((await hq.staffLogon.recordSuccess(input.staff)).blocked) throw blocked(input.staff);
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
export async function unblockStaff(hq: HqStore, staff: string): Promise<StaffUnblockAnswer> {
  if (!(await hq.masterData.find("staff", { id: staff }))) throw notFound(`staff ${staff} is not defined at HQ`);
  const logon = await hq.staffLogon.clear(staff);
  return { staff, wasBlocked: Boolean(logon?.blockedAt), failedAttempts: 0 };
}
