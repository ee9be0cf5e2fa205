// The distribution (CDX) part of the HTTP API: download sessions, packages and their statuses (SPEC §3, §9).
import { z } from "zod";

const enc = encodeURIComponent;

export const SYNC_ROUTES = {
  sessions: "/v1/sync/sessions",
  session: "/v1/sync/sessions/:id",
  package: "/v1/sync/sessions/:id/package",
  status: "/v1/sync/sessions/:id/status",
  admin: {
    jobs: "/v1/admin/cdx/jobs",
    run: "/v1/admin/cdx/run",
    sessions: "/v1/admin/cdx/sessions",
    rerun: "/v1/admin/cdx/sessions/:id/rerun",
    cancel: "/v1/admin/cdx/sessions/:id/cancel",
    databases: "/v1/admin/cdx/databases",
    pause: "/v1/admin/cdx/databases/:name/pause",
    resume: "/v1/admin/cdx/databases/:name/resume",
    uploadSessions: "/v1/admin/cdx/upload-sessions",
    registers: "/v1/admin/cdx/registers",
  },
} as const;

export const syncPath = {
  sessions: (database: string, statuses?: readonly string[]) =>
    `/v1/sync/sessions?database=${enc(database)}${statuses?.length ? `&status=${statuses.map(enc).join(",")}` : ""}`,
  package: (id: number) => `/v1/sync/sessions/${id}/package`,
  status: (id: number) => `/v1/sync/sessions/${id}/status`,
  rerun: (id: number) => `/v1/admin/cdx/sessions/${id}/rerun`,
  cancel: (id: number) => `/v1/admin/cdx/sessions/${id}/cancel`,
  pause: (name: string) => `/v1/admin/cdx/databases/${enc(name)}/pause`,
  resume: (name: string) => `/v1/admin/cdx/databases/${enc(name)}/resume`,
};

export const DOWNLOAD_STATUSES = [
  "Available",
  "Requested",
  "Downloaded",
  "Applied",
  "Download failed",
  "Apply failed",
  "Suspended",
  "Canceled",
  "No data",
] as const;
export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];

/** Statuses a target reports for its own session. */
export const REPORTED_STATUSES = ["Requested", "Downloaded", "Applied", "Download failed", "Apply failed"] as const;

export const downloadSessionSchema = z.object({
  id: z.number().int(),
  job: z.string(),
  database: z.string(),
  status: z.enum(DOWNLOAD_STATUSES),
  message: z.string().nullable(),
  full: z.boolean(),
  fromVersion: z.number().int(),
  toVersion: z.number().int(),
  /** Changes per table. */
  rows: z.record(z.string(), z.number()),
  size: z.number().int(),
  sha256: z.string(),
  attempts: z.number().int(),
  createdAt: z.string(),
  requestedAt: z.string().nullable(),
  downloadedAt: z.string().nullable(),
  appliedAt: z.string().nullable(),
  /** Where HQ keeps the package (admin answers; null for No data). */
  file: z.string().nullable().optional(),
});
export type DownloadSession = z.infer<typeof downloadSessionSchema>;

export const sessionsAnswerSchema = z.object({ sessions: z.array(downloadSessionSchema) });

export const sessionStatusBodySchema = z.object({
  status: z.enum(REPORTED_STATUSES),
  message: z.string().max(2000).optional(),
});
export type SessionStatusBody = z.infer<typeof sessionStatusBodySchema>;
/** One session: the answer to a status report, a rerun. */
export const sessionAnswerSchema = z.object({ session: downloadSessionSchema });

/** Error codes of the CDX routes (besides the shared ones in api.ts). */
export const CDX_ERROR_CODES = {
  /** An earlier session of the same database is not finished (strict per-database order). */
  sessionBlocked: "SessionBlocked",
  /** The session's status does not allow this (e.g. reporting on a Canceled session). */
  sessionState: "InvalidSessionState",
} as const;

/** POST /v1/admin/cdx/run. job: a download job id, "9999" (all), or "P-0001" (upload). */
export const runBodySchema = z.object({
  job: z.string().min(1),
  full: z.boolean().optional(),
  database: z.string().min(1).optional(),
});
export type RunBody = z.infer<typeof runBodySchema>;

export const UPLOAD_STATUSES = ["Uploaded", "Applied", "Apply failed"] as const;
export const uploadSessionSchema = z.object({
  id: z.number().int(),
  /** The channel database (store) whose transactions were sent. */
  database: z.string(),
  status: z.enum(UPLOAD_STATUSES),
  message: z.string().nullable(),
  /** Replication counters: the session carries transactions with fromCounter < counter <= toCounter. */
  fromCounter: z.number().int(),
  toCounter: z.number().int(),
  transactions: z.number().int(),
  /** Transactions HQ did not have before (the rest were already there: inserted once, never twice). */
  inserted: z.number().int(),
  customers: z.number().int(),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
});
export type UploadSession = z.infer<typeof uploadSessionSchema>;

export const runAnswerSchema = z.object({
  job: z.string(),
  /** Download runs: one session per target database and job (status Available or No data; Applied etc. for
   * channel databases the server applied at once). */
  sessions: z.array(downloadSessionSchema),
  /** Targets that got no session, and why (paused database, pauseOfflineSync on the offline profile). */
  skipped: z.array(z.object({ database: z.string(), reason: z.string() })),
  /** Upload runs (P-0001): one session per channel database. */
  uploads: z.array(uploadSessionSchema),
});
export type RunAnswer = z.infer<typeof runAnswerSchema>;

export const jobsAnswerSchema = z.object({
  jobs: z.array(
    z.object({ id: z.string(), name: z.string(), kind: z.enum(["download", "upload"]), tables: z.array(z.string()) }),
  ),
});
export type JobsAnswer = z.infer<typeof jobsAnswerSchema>;

export const channelDatabaseSchema = z.object({
  name: z.string(),
  kind: z.enum(["channel", "offline"]),
  store: z.string(),
  register: z.string().nullable(),
  dataGroup: z.string().nullable(),
  /** Pause data synchronization on the database (pos cdx pause). */
  paused: z.boolean(),
  /** pauseOfflineSync on the register's offline profile (offline databases only). */
  profilePaused: z.boolean(),
  createdAt: z.string(),
  /** Set when the register stopped supporting offline: no more sessions. */
  removedAt: z.string().nullable(),
  /** How far each job's chain of packages reaches (absent: the next run makes a full package). */
  versions: z.record(z.string(), z.number().int()),
  /** Sessions not finished yet (Available … Suspended). */
  pending: z.number().int(),
});
export type ChannelDatabase = z.infer<typeof channelDatabaseSchema>;
export const databasesAnswerSchema = z.object({ databases: z.array(channelDatabaseSchema) });
export const databaseAnswerSchema = z.object({ database: channelDatabaseSchema });

export const sessionsQuerySchema = z.object({
  database: z.string().min(1).max(200).optional(),
  /** Comma-separated statuses. */
  status: z.string().max(500).optional(),
  job: z.string().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export const cancelAnswerSchema = z.object({
  session: downloadSessionSchema,
  /** Later sessions of the same database and job canceled with it (they continued its version chain). */
  alsoCanceled: z.array(z.number().int()),
  /** Where the job's chain now restarts for the database (null: the next run makes a full package). */
  packagedVersion: z.number().int().nullable(),
});
export type CancelAnswer = z.infer<typeof cancelAnswerSchema>;

export const uploadSessionsAnswerSchema = z.object({
  sessions: z.array(uploadSessionSchema),
  /** Transactions a channel database refused as conflicting (same id, other content); never uploaded as new. */
  conflicts: z.array(
    z.object({
      store: z.string(),
      transactionId: z.string(),
      register: z.string(),
      attempts: z.number().int(),
      receivedAt: z.string(),
    }),
  ),
  /** Transactions HQ holds (each once: P-0001 inserts by id). */
  hqTransactions: z.number().int(),
});
export type UploadSessionsAnswer = z.infer<typeof uploadSessionsAnswerSchema>;

export const registerStatusSchema = z.object({
  register: z.string(),
  store: z.string(),
  supportsOffline: z.boolean(),
  database: z.string().nullable(),
  /** Null when the register never reported. */
  mode: z.enum(["online", "offline"]).nullable(),
  manual: z.boolean(),
  lastDownload: z.object({ at: z.string(), result: z.string(), message: z.string().nullable().optional() }).nullable(),
  lastUpload: z.object({ at: z.string(), result: z.string(), message: z.string().nullable().optional() }).nullable(),
  pendingCount: z.number().int().nullable(),
  dbSizeBytes: z.number().int().nullable(),
  reportedAt: z.string().nullable(),
});
export type RegisterStatus = z.infer<typeof registerStatusSchema>;
export const registersAnswerSchema = z.object({ registers: z.array(registerStatusSchema) });
