// `pos register provision`: the four D365 set-up steps (SPEC §4.1), each safe to repeat.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { splitRegisterId } from "../domain/ids.js";
import { adminCall } from "../lib/admin-client.js";
import {
  activateAnswerSchema,
  apiPath,
  type RegisterConfigAnswer,
  ROUTES,
  registerAnswerSchema,
  registerConfigAnswerSchema,
} from "../lib/api.js";
import { runAnswerSchema, SYNC_ROUTES } from "../lib/api-sync.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { UsageError } from "../lib/errors.js";
import { createHttpClient } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { openOfflineDatabase } from "../schema/offline.js";
import { type PullProgress, type PullResult, pull } from "../sync/pull.js";
import { type RegisterConfig, readRegisterConfig, writeRegisterConfig } from "./config.js";
import { fileHighWaterMark } from "./high-water.js";
import { damagedDatabaseError, openRegisterDatabase } from "./open.js";

export interface ProvisionOptions {
  paths: Paths;
  clock: Clock;
  registerId: string;
  serverUrl: string;
  adminToken: string;
  offline: boolean;
  sync: boolean;
  onStep?: (step: ProvisionStep) => void;
  onPull?: (event: PullProgress) => void;
}

export interface ProvisionStep {
  step: 1 | 2 | 3 | 4;
  name: string;
  /** done: changed something now; existed: it was already so. */
  outcome: "done" | "existed" | "skipped";
  detail: string;
}

export interface ProvisionResult {
  register: string;
  store: string;
  database: string | null;
  serverUrl: string;
  steps: ProvisionStep[];
  alreadyProvisioned: boolean;
  pull: PullResult | null;
}

/** Bad input is reported before anything talks to the server. */
export function checkRegisterId(registerId: string): void {
  if (!splitRegisterId(registerId)) {
    throw new UsageError(`register id "${registerId}": expected <store>-<register>, e.g. SEA01-R1`, "BadRegisterId");
  }
}

export async function provisionRegister(options: ProvisionOptions): Promise<ProvisionResult> {
  const { paths, clock, registerId } = options;
  checkRegisterId(registerId);
  const previous = existsSync(paths.registerConfig(registerId)) ? readRegisterConfig(paths, registerId) : null;
  const steps: ProvisionStep[] = [];
  const record = (step: ProvisionStep) => {
    steps.push(step);
    options.onStep?.(step);
  };
  const admin = createHttpClient({ baseUrl: options.serverUrl, token: options.adminToken, timeoutMs: 15_000 });
  try {
    // 1. Supports offline at HQ: creates the <id>-OFFLINE channel database in the store's data group.
    const database = options.offline ? `${registerId}-OFFLINE` : null;
    const set = await adminCall(admin, "PATCH", apiPath.adminRegister(registerId), registerAnswerSchema, {
      supportsOffline: options.offline,
    });
    const sameAsBefore = previous?.supportsOffline === options.offline;
    record({
      step: 1,
      name: "Supports offline at HQ",
      outcome: sameAsBefore ? "existed" : "done",
      detail: options.offline ? `supports offline; channel database ${database}` : "online only (no offline database)",
    });

    // 2. Device activation: reuse a token the server still accepts, else activate (which revokes any older token).
    let token = previous?.deviceToken ?? null;
    if (token && (await serverConfig(options.serverUrl, token, registerId)) === null) token = null;
    if (token) {
      record({ step: 2, name: "Device activation", outcome: "existed", detail: "device token still valid" });
    } else {
      const activated = await adminCall(admin, "POST", ROUTES.activate, activateAnswerSchema, { register: registerId });
      token = activated.token;
      record({
        step: 2,
        name: "Device activation",
        outcome: "done",
        detail: `device token issued ${activated.activatedAt}`,
      });
    }
    const config: RegisterConfig = {
      format: "pos-register/1",
      registerId,
      store: set.register.store,
      serverUrl: options.serverUrl,
      deviceToken: token,
      supportsOffline: options.offline,
      database,
      provisionedAt: previous?.provisionedAt ?? new Date(clock.now()).toISOString(),
    };
    writeRegisterConfig(paths, config);

    // 3. The offline database (every register keeps one for numbering and its queue; master data only if offline).
    const dbFile = paths.offlineDb(registerId);
    const existed = existsSync(dbFile);
    const db = existed ? openRegisterDatabase(paths, registerId, "open") : createOfflineDatabase(paths, registerId);
    try {
      // Numbers the server already holds from this register are never handed out again (a lost home included).
      const known = await serverConfig(options.serverUrl, token, registerId);
      const highWater = fileHighWaterMark(paths, registerId);
      if (known && known.lastTransactionSeq > highWater.read()) highWater.write(known.lastTransactionSeq);
      record({ step: 3, name: "Offline database", outcome: existed ? "existed" : "done", detail: dbFile });

      // 4. First sync: the distribution schedule for the new database, then pull it.
      let pulled: PullResult | null = null;
      if (!options.sync || !database) {
        record({
          step: 4,
          name: "First sync",
          outcome: "skipped",
          detail: database ? "starts at the first staff sign-in (or run pos sync pull)" : "online-only register",
        });
      } else {
        const run = await adminCall(admin, "POST", SYNC_ROUTES.admin.run, runAnswerSchema, { job: "9999", database });
        const device = createHttpClient({ baseUrl: options.serverUrl, token, timeoutMs: 30_000 });
        try {
          pulled = await pull({
            http: device,
            db,
            clock,
            database,
            workDir: join(paths.registerDir(registerId), "downloads"),
            ...(options.onPull ? { onProgress: options.onPull } : {}),
          });
        } finally {
          device.close();
        }
        const made = run.sessions.filter((s) => s.status !== "No data").length;
        record({
          step: 4,
          name: "First sync",
          outcome: pulled.applied > 0 ? "done" : "existed",
          detail: `${made} new session(s); applied ${pulled.applied}, ${pulled.rows} rows${pulled.stoppedBy ? `; stopped: ${pulled.stoppedBy}` : ""}`,
        });
      }
      return {
        register: registerId,
        store: config.store,
        database,
        serverUrl: options.serverUrl,
        steps,
        alreadyProvisioned: previous !== null && steps.every((s) => s.outcome !== "done"),
        pull: pulled,
      };
    } finally {
      db.close();
    }
  } finally {
    admin.close();
  }
}

/** A new offline database; refused when the register has sold before (its database vanished: pos register reset). */
function createOfflineDatabase(paths: Paths, registerId: string): Db {
  if (fileHighWaterMark(paths, registerId).read() > 0) {
    throw damagedDatabaseError(paths, registerId, "the file is missing");
  }
  return openOfflineDatabase(paths.offlineDb(registerId));
}

/** The register's configuration as its device token sees it; null when the token is not accepted. */
async function serverConfig(
  serverUrl: string,
  token: string,
  registerId: string,
): Promise<RegisterConfigAnswer | null> {
  const http = createHttpClient({ baseUrl: serverUrl, token, timeoutMs: 10_000 });
  try {
    const r = await http.get(apiPath.registerConfig(registerId), registerConfigAnswerSchema);
    return r.ok ? r.body : null;
  } finally {
    http.close();
  }
}
