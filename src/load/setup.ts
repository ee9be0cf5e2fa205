// Before a load run: which registers and staff to drive, and each register's device token (reused or activated).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { OperationError, type PosError, UnreachableError, UsageError } from "../lib/errors.js";
import type { RegisterConnection } from "./client.js";
import type { LoadStats } from "./stats.js";

/** Load sales are numbered from here per register, so they never meet the numbers a real register uses. */
export const LOAD_FIRST_SEQUENCE = 100_000_001;

export interface LoadState {
  registers: Record<string, { token: string; nextSeq: number }>;
}

export function readLoadState(file: string): LoadState {
  if (!existsSync(file)) return { registers: {} };
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as LoadState;
    return value && typeof value.registers === "object" ? value : { registers: {} };
  } catch {
    throw new UsageError(`${file}: not valid JSON (delete it to start over with new device tokens)`);
  }
}

export function writeLoadState(file: string, state: LoadState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export interface Cast {
  registers: Array<{ id: string; store: string; staff: string }>;
}

/** The first `count` registers (of `stores`), each with a cashier of its store (in turn). */
export async function castRegisters(
  admin: RegisterConnection,
  token: string,
  count: number,
  stores: string[] | undefined,
): Promise<Cast> {
  const query = stores ? `?store=${encodeURIComponent(stores.join(","))}` : "";
  const registers = await adminGet<{ registers: Array<{ id: string; store: string }> }>(
    admin,
    token,
    `/v1/admin/registers${query}`,
  );
  const staff = await adminGet<{ staff: Array<{ id: string; role: string; stores: string[] }> }>(
    admin,
    token,
    `/v1/admin/staff${query}`,
  );
  if (registers.registers.length < count) {
    throw new UsageError(
      `--registers ${count}: the server has ${registers.registers.length} register(s)${stores ? ` in ${stores.join(", ")}` : ""} (pos hq register add adds more)`,
    );
  }
  // Cashiers sell (one --password for all of them); a store without cashiers uses whoever may sign in there.
  const byStore = new Map<string, string[]>();
  const cashiers = new Map<string, string[]>();
  for (const s of staff.staff) {
    for (const store of s.stores) {
      byStore.set(store, [...(byStore.get(store) ?? []), s.id]);
      if (s.role === "cashier") cashiers.set(store, [...(cashiers.get(store) ?? []), s.id]);
    }
  }
  for (const [store, ids] of cashiers) byStore.set(store, ids);
  const turn = new Map<string, number>();
  return {
    registers: registers.registers.slice(0, count).map((r) => {
      const list = byStore.get(r.store);
      if (!list?.length) throw new OperationError(`store ${r.store} has no staff to sign in with (pos hq staff add)`);
      const i = turn.get(r.store) ?? 0;
      turn.set(r.store, i + 1);
      return { id: r.id, store: r.store, staff: list[i % list.length] as string };
    }),
  };
}

/** The register's configuration with its saved token, activating a new token when that one is refused. */
export async function connectRegister(
  conn: RegisterConnection,
  adminToken: string,
  register: string,
  saved: string | undefined,
  stats: LoadStats,
): Promise<{ token: string; config: RegisterConfig }> {
  const configPath = `/v1/registers/${encodeURIComponent(register)}/config`;
  if (saved) {
    const r = await conn.call("GET", configPath, undefined, saved);
    stats.record("config", r.ms, r.status === 200 ? null : outcomeOf(r));
    if (r.status === 200) return { token: saved, config: r.body as RegisterConfig };
  }
  const activated = await conn.call("POST", "/v1/devices/activate", { register }, adminToken);
  stats.record("activate", activated.ms, activated.status === 201 ? null : outcomeOf(activated));
  if (activated.status !== 201) throw answerError(`activate ${register}`, activated);
  const token = (activated.body as { token: string }).token;
  const r = await conn.call("GET", configPath, undefined, token);
  stats.record("config", r.ms, r.status === 200 ? null : outcomeOf(r));
  if (r.status !== 200) throw answerError(`configuration of ${register}`, r);
  return { token, config: r.body as RegisterConfig };
}

export interface RegisterConfig {
  store: { id: string; currency: string; decimals: number };
  tenders: Array<{ id: string; kind: "cash" | "card" | "giftcard" | "account" }>;
}

export function outcomeOf(r: { status: number; error: string | null }): string {
  return r.status === 0 ? (r.error ?? "no answer") : String(r.status);
}

export function answerError(what: string, r: { status: number; body: unknown; error: string | null }): PosError {
  if (r.status === 0) return new UnreachableError(`${what}: the server did not answer (${r.error})`);
  const message = (r.body as { error?: { message?: string } } | null)?.error?.message;
  return new OperationError(
    `${what}: ${r.status === 0 ? `no answer (${r.error})` : `server answered ${r.status}`}${message ? `: ${message}` : ""}`,
  );
}

async function adminGet<T>(admin: RegisterConnection, token: string, path: string): Promise<T> {
  const r = await admin.call("GET", path, undefined, token);
  if (r.status !== 200) throw answerError(`GET ${path}`, r);
  return r.body as T;
}
