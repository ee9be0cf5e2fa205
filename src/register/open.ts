// Opens one provisioned register the one way every command does: register.json checked against its folder,
// offline.db checked for damage (never recreated quietly), the connection state, the profile and a device client.
import { statSync } from "node:fs";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { UsageError } from "../lib/errors.js";
import { createHttpClient, type HttpClient } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore, type OfflineStore } from "../offline/offline-store.js";
import { openOfflineDatabase } from "../schema/offline.js";
import { type RegisterConfig, readRegisterConfig } from "./config.js";
import { type ConnectionStateStore, createFileStateStore } from "./connection-state.js";
import { fileHighWaterMark } from "./high-water.js";
import { type ProfileSettings, profileFromDatabase } from "./profile.js";

export interface OpenedRegister {
  paths: Paths;
  config: RegisterConfig;
  db: Db;
  local: OfflineStore;
  /** The connection state; a register that never switched has been online since it was provisioned. */
  state: ConnectionStateStore;
  profile: ProfileSettings;
  /** Device-token client to the register's server, with the profile's timeout. */
  http: HttpClient;
  close(): void;
}

export interface OpenRegisterFilesOptions {
  paths: Paths;
  clock: Clock;
  registerId: string;
  /** Overrides for this run (replay's `profile:`), on top of the register's offline profile. */
  profile?: Partial<ProfileSettings>;
  /** Server URL override (replay through the fault proxy). */
  serverUrl?: string;
  /** Where the connection state lives; the file in the register's home by default. */
  state?: ConnectionStateStore;
  /** `full`: PRAGMA quick_check before anything is written (commands that record sales). */
  check?: "open" | "full";
}

export function openRegisterFiles(options: OpenRegisterFilesOptions): OpenedRegister {
  const { paths, clock, registerId } = options;
  const config = readRegisterConfig(paths, registerId);
  const db = openRegisterDatabase(paths, registerId, options.check ?? "open");
  try {
    const local = createOfflineStore(db);
    const profile = { ...profileFromDatabase(local, registerId), ...options.profile };
    const provisioned = Date.parse(config.provisionedAt);
    const state =
      options.state ??
      createFileStateStore(connectionStateFile(paths, registerId), () =>
        Number.isNaN(provisioned) ? clock.now() : provisioned,
      );
    const http = createHttpClient({
      baseUrl: options.serverUrl ?? config.serverUrl,
      token: config.deviceToken,
      timeoutMs: profile.timeoutInterval * 1000,
    });
    return {
      paths,
      config,
      db,
      local,
      state,
      profile,
      http,
      close: () => {
        http.close();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

export function connectionStateFile(paths: Paths, registerId: string): string {
  return `${paths.registerDir(registerId)}/state.json`;
}

/**
 * The register's offline.db, refused with exit 2 when it is missing, empty, not a database or damaged: replacing
 * it quietly would lose its pending sales and restart its numbering. `pos register reset` is the explicit way out.
 */
export function openRegisterDatabase(paths: Paths, registerId: string, check: "open" | "full"): Db {
  const file = paths.offlineDb(registerId);
  const damaged = (why: string) => damagedDatabaseError(paths, registerId, why);
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw damaged("a folder stands where the file should be");
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw damaged(code === "ENOENT" ? "the file is missing" : `cannot be read (${code})`);
  }
  if (size === 0) throw damaged("the file is empty (0 bytes)");
  let db: Db;
  try {
    db = openOfflineDatabase(file);
  } catch (error) {
    throw damaged(sqliteProblem(error));
  }
  if (check === "full") {
    let problems: string[];
    try {
      const rows = db.pragma("quick_check") as Array<{ quick_check: string }>;
      problems = rows.map((r) => r.quick_check).filter((m) => m !== "ok");
    } catch (error) {
      problems = [sqliteProblem(error)];
    }
    if (problems.length > 0) {
      db.close();
      throw damaged(`integrity check failed: ${problems.slice(0, 2).join("; ")}`);
    }
  }
  return db;
}

export function damagedDatabaseError(paths: Paths, registerId: string, why: string): UsageError {
  const file = paths.offlineDb(registerId);
  const highWater = safeHighWater(paths, registerId);
  const numbering = highWater > 0 ? `; numbering continues above ${highWater}` : "";
  return new UsageError(
    `${file}: the offline database of register ${registerId} is damaged (${why}); nothing was changed`,
    "OfflineDatabaseDamaged",
    `restore ${file} from a backup, or run pos register reset ${registerId} --yes (sales not yet uploaded that it held are lost${numbering})`,
  );
}

function safeHighWater(paths: Paths, registerId: string): number {
  try {
    return fileHighWaterMark(paths, registerId).read();
  } catch {
    return 0;
  }
}

function sqliteProblem(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ""}`.trim() : (e.message ?? String(error));
}
