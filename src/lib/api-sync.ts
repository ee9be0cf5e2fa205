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
});
export type DownloadSession = z.infer<typeof downloadSessionSchema>;

export const sessionsAnswerSchema = z.object({ sessions: z.array(downloadSessionSchema) });
export type SessionsAnswer = z.infer<typeof sessionsAnswerSchema>;

export const sessionStatusBodySchema = z.object({
  status: z.enum(REPORTED_STATUSES),
  message: z.string().max(2000).optional(),
});
export type SessionStatusBody = z.infer<typeof sessionStatusBodySchema>;
export const sessionStatusAnswerSchema = z.object({ session: downloadSessionSchema });

/** POST /v1/admin/cdx/run. job: a download job id, "9999" (all), or "P-0001" (upload). */
export const runBodySchema = z.object({
  job: z.string().min(1),
  full: z.boolean().optional(),
  database: z.string().min(1).optional(),
});
export type RunBody = z.infer<typeof runBodySchema>;
export const runAnswerSchema = z.object({
  job: z.string(),
  /** Download runs: one session per target database and job (status Available or No data). */
  sessions: z.array(downloadSessionSchema),
  /** Upload runs (P-0001). */
  upload: z
    .object({
      id: z.number().int(),
      status: z.string(),
      transactions: z.number().int(),
      customers: z.number().int(),
      message: z.string().nullable(),
    })
    .nullable(),
});
export type RunAnswer = z.infer<typeof runAnswerSchema>;
