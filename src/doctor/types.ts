// What `pos doctor` knows about one register (gathered once) and what each check answers.
import type { DownloadSession } from "../lib/api-sync.js";
import type { OfflineReadiness } from "../register/data-source.js";

export type CheckStatus = "ok" | "warning" | "problem";

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  /** The exact command (or commands joined by &&) that fixes it; null when nothing needs doing. */
  fix: string | null;
}

/** One check: a pure function of the facts, so each is tested with a table of facts. */
export type CheckFunction = (facts: RegisterFacts) => Check;

export interface ServerFacts {
  /** The register's URL (register.json). */
  url: string;
  reachable: boolean;
  /** "ok", or why not ("server refused the connection"). */
  outcome: string;
  ms: number;
  /** The server's Date header, ms since the epoch; null when absent or unreachable. */
  serverDate: number | null;
  /** This machine's time half-way through the request. */
  localDate: number;
  /** Status of GET /v1/registers/:id/config with the device token; null when not asked (unreachable). */
  tokenStatus: number | null;
  tokenMessage: string | null;
}

export interface HomeServerFacts {
  file: string;
  url: string;
  pid: number | null;
  /** False when the pid in server.json is no longer a running process (a server killed without cleanup). */
  alive: boolean;
}

export interface AppliedJobFacts {
  job: string;
  session: number;
  toVersion: number;
}

export interface PendingFacts {
  count: number;
  oldest: string | null;
}

export interface ConflictFacts {
  id: string;
  total: number;
  message: string | null;
}

export interface DatabaseFacts {
  file: string;
  exists: boolean;
  /** Why the file could not be opened or read, null when it could. */
  openError: string | null;
  /** PRAGMA quick_check: "ok" or the problems it found. */
  quickCheck: string | null;
  sizeBytes: number;
  /** Free bytes on the file system holding the register's home; null when unknown. */
  freeBytes: number | null;
  /** Permission bits (0o600…); null when missing. */
  mode: number | null;
  configFile: string;
  configMode: number | null;
}

export interface LocalFacts {
  readiness: OfflineReadiness;
  products: number;
  prices: number;
  applied: AppliedJobFacts[];
  pending: PendingFacts;
  conflicts: ConflictFacts[];
  /** Sales sent to the server whose outcome the register does not know yet (settled by re-sending them). */
  inDoubt: Array<{ id: string; total: number; statusAt: string }>;
  /** Highest number reserved in number_sequence (every number up to it is used or lost, never reused). */
  reservedTo: number;
  /** Highest transaction number the database holds. */
  maxSeq: number;
  /** Numbers recorded as never used (a crash, a refused checkout): gaps, never reused. */
  gaps: Array<{ first: number; last: number; recordedAt: string; reason: string }>;
  /** The high-water mark kept beside offline.db (numbers.json); null when it cannot be read. */
  highWater: number | null;
  highWaterError: string | null;
}

export interface RegisterFacts {
  register: string;
  store: string;
  database: string | null;
  supportsOffline: boolean;
  now: number;
  /** The register's connection state (state.json). */
  mode: { mode: "online" | "offline-auto" | "offline-manual"; since: number; reason: string | null };
  server: ServerFacts;
  home: HomeServerFacts | null;
  /** Unfinished download sessions of the register's offline database at the server; null when not known. */
  sessions: DownloadSession[] | null;
  sessionsError: string | null;
  db: DatabaseFacts;
  /** Null when the database could not be read. */
  local: LocalFacts | null;
}
