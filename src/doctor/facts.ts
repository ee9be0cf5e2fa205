// Gathers what `pos doctor` checks about one register: its files, its offline database and what the server says.
import { existsSync, readFileSync, statfsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { apiPath, errorBodySchema, healthAnswerSchema, ROUTES, registerConfigAnswerSchema } from "../lib/api.js";
import { sessionsAnswerSchema, syncPath } from "../lib/api-sync.js";
import type { Clock } from "../lib/clock.js";
import { createHttpClient, type HttpClient, NetworkError } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { readRegisterConfig } from "../register/config.js";
import { createFileStateStore } from "../register/connection-state.js";
import { describeOutcome } from "../register/failover.js";
import { fileHighWaterMark } from "../register/high-water.js";
import { connectionStateFile, openRegisterDatabase } from "../register/open.js";
import { quickCheck, readLocalFacts } from "./offline-facts.js";
import type { DatabaseFacts, HomeServerFacts, LocalFacts, RegisterFacts, ServerFacts } from "./types.js";

/** A diagnosis must not wait long for a server that does not answer. */
export const DOCTOR_TIMEOUT_MS = 3000;

const UNFINISHED = ["Available", "Requested", "Downloaded", "Download failed", "Apply failed", "Suspended"];

export async function gatherFacts(paths: Paths, clock: Clock, registerId: string): Promise<RegisterFacts> {
  const config = readRegisterConfig(paths, registerId);
  const http = createHttpClient({ baseUrl: config.serverUrl, token: config.deviceToken, timeoutMs: DOCTOR_TIMEOUT_MS });
  try {
    const server = await serverFacts(http, clock, registerId);
    let sessions: RegisterFacts["sessions"] = null;
    let sessionsError: string | null = null;
    if (config.database && server.reachable && server.tokenStatus === 200) {
      try {
        const r = await http.get(syncPath.sessions(config.database, UNFINISHED), sessionsAnswerSchema);
        if (r.ok) sessions = r.body.sessions;
        else sessionsError = `${config.serverUrl} answered ${r.status} to the session list`;
      } catch (error) {
        sessionsError = (error as Error).message;
      }
    } else {
      sessionsError = server.reachable ? "the server refuses the device token" : "the server does not answer";
    }
    const { db, local } = databaseFacts(paths, registerId, config.store);
    return {
      register: registerId,
      store: config.store,
      database: config.database,
      supportsOffline: config.supportsOffline,
      now: clock.now(),
      mode: connectionMode(paths, registerId, config.provisionedAt, clock),
      server,
      home: homeServer(paths),
      sessions,
      sessionsError,
      db,
      local,
    };
  } finally {
    http.close();
  }
}

async function serverFacts(http: HttpClient, clock: Clock, registerId: string): Promise<ServerFacts> {
  const facts: ServerFacts = {
    url: http.baseUrl,
    reachable: false,
    outcome: "",
    ms: 0,
    serverDate: null,
    localDate: clock.now(),
    tokenStatus: null,
    tokenMessage: null,
  };
  const started = clock.now();
  try {
    const r = await http.get(ROUTES.health, healthAnswerSchema, { token: null });
    const ended = clock.now();
    facts.ms = Math.max(0, ended - started);
    facts.localDate = Math.round((started + ended) / 2);
    const date = r.headers.date ? Date.parse(r.headers.date) : Number.NaN;
    facts.serverDate = Number.isNaN(date) ? null : date;
    facts.reachable = r.status === 200;
    facts.outcome = r.status === 200 ? "ok" : describeOutcome({ kind: "response", status: r.status });
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    facts.outcome =
      error.kind === "timeout"
        ? describeOutcome({ kind: "timeout", afterMs: DOCTOR_TIMEOUT_MS })
        : error.kind === "invalid-body"
          ? describeOutcome({ kind: "invalid-body", message: error.message })
          : describeOutcome({ kind: "network", code: error.code, message: error.message });
    return facts;
  }
  if (!facts.reachable) return facts;
  try {
    const r = await http.get(apiPath.registerConfig(registerId), registerConfigAnswerSchema);
    facts.tokenStatus = r.status;
    const said = r.ok ? null : errorBodySchema.safeParse(r.body);
    facts.tokenMessage = said?.success ? said.data.error.message : null;
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
  }
  return facts;
}

function databaseFacts(
  paths: Paths,
  registerId: string,
  store: string,
): { db: DatabaseFacts; local: LocalFacts | null } {
  const file = paths.offlineDb(registerId);
  const configFile = paths.registerConfig(registerId);
  const db: DatabaseFacts = {
    file,
    exists: existsSync(file),
    openError: null,
    quickCheck: null,
    sizeBytes: size(file) + size(`${file}-wal`),
    freeBytes: freeBytes(dirname(file)),
    mode: mode(file),
    configFile,
    configMode: mode(configFile),
  };
  if (!db.exists) return { db, local: null };
  let local: LocalFacts | null = null;
  const highWater = { value: null as number | null, error: null as string | null };
  try {
    highWater.value = fileHighWaterMark(paths, registerId).read();
  } catch (error) {
    highWater.error = (error as Error).message;
  }
  try {
    // The same open as every register command, so what is refused there is diagnosed here.
    const handle = openRegisterDatabase(paths, registerId, "open");
    try {
      db.quickCheck = quickCheck(handle);
      if (db.quickCheck === "ok") local = readLocalFacts(handle, registerId, store, highWater);
    } finally {
      handle.close();
    }
  } catch (error) {
    db.openError = (error as Error).message;
  }
  return { db, local };
}

function connectionMode(paths: Paths, registerId: string, provisionedAt: string, clock: Clock): RegisterFacts["mode"] {
  const never = Date.parse(provisionedAt);
  const state = createFileStateStore(connectionStateFile(paths, registerId), () =>
    Number.isNaN(never) ? clock.now() : never,
  ).read();
  return { mode: state.mode, since: state.since, reason: state.reason };
}

/** server.json of the home, and whether the process that wrote it still runs. */
function homeServer(paths: Paths): HomeServerFacts | null {
  const file = join(paths.serverDir, "server.json");
  let data: { url?: unknown; pid?: unknown };
  try {
    data = JSON.parse(readFileSync(file, "utf8")) as typeof data;
  } catch {
    return null;
  }
  if (typeof data.url !== "string") return null;
  const pid = typeof data.pid === "number" ? data.pid : null;
  return { file, url: data.url, pid, alive: pid === null ? true : processAlive(pid) };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function mode(file: string): number | null {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return null;
  }
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
