// Client side of the CDX admin API (pos cdx): one call per route, answers typed by the contract in api-sync.ts.

import { type AdminConnection, adminCall } from "./admin-client.js";
import {
  type CancelAnswer,
  type ChannelDatabase,
  cancelAnswerSchema,
  type DownloadSession,
  databaseAnswerSchema,
  databasesAnswerSchema,
  type JobsAnswer,
  jobsAnswerSchema,
  type RegisterStatus,
  type RunAnswer,
  type RunBody,
  registersAnswerSchema,
  runAnswerSchema,
  SYNC_ROUTES,
  sessionAnswerSchema,
  sessionsAnswerSchema,
  syncPath,
  type UploadSessionsAnswer,
  uploadSessionsAnswerSchema,
} from "./api-sync.js";
import { type AnswerSchema, createHttpClient, type Method } from "./http.js";

export interface SessionsFilter {
  database?: string | undefined;
  status?: string | undefined;
  job?: string | undefined;
  limit?: number | undefined;
}

export interface CdxClient {
  jobs(): Promise<JobsAnswer>;
  run(body: RunBody): Promise<RunAnswer>;
  sessions(filter: SessionsFilter): Promise<{ sessions: DownloadSession[] }>;
  rerun(id: number): Promise<{ session: DownloadSession }>;
  cancel(id: number): Promise<CancelAnswer>;
  databases(): Promise<{ databases: ChannelDatabase[] }>;
  pause(name: string): Promise<{ database: ChannelDatabase }>;
  resume(name: string): Promise<{ database: ChannelDatabase }>;
  uploadSessions(): Promise<UploadSessionsAnswer>;
  registers(): Promise<{ registers: RegisterStatus[] }>;
  close(): void;
}

/** A run may package a large catalog: the client waits up to ten minutes for its answer. */
export function createCdxClient(connection: AdminConnection, timeoutMs = 600_000): CdxClient {
  const http = createHttpClient({ baseUrl: connection.url, token: connection.token, timeoutMs });
  const call = <T>(method: Method, path: string, schema: AnswerSchema<T>, body?: unknown) =>
    adminCall(http, method, path, schema, body);
  return {
    jobs: () => call("GET", SYNC_ROUTES.admin.jobs, jobsAnswerSchema),
    run: (body) => call("POST", SYNC_ROUTES.admin.run, runAnswerSchema, body),
    sessions: (filter) => {
      const query = new URLSearchParams();
      if (filter.database !== undefined) query.set("database", filter.database);
      if (filter.status !== undefined) query.set("status", filter.status);
      if (filter.job !== undefined) query.set("job", filter.job);
      if (filter.limit !== undefined) query.set("limit", String(filter.limit));
      const text = query.toString();
      return call("GET", `${SYNC_ROUTES.admin.sessions}${text ? `?${text}` : ""}`, sessionsAnswerSchema);
    },
    rerun: (id) => call("POST", syncPath.rerun(id), sessionAnswerSchema, {}),
    cancel: (id) => call("POST", syncPath.cancel(id), cancelAnswerSchema, {}),
    databases: () => call("GET", SYNC_ROUTES.admin.databases, databasesAnswerSchema),
    pause: (name) => call("POST", syncPath.pause(name), databaseAnswerSchema, {}),
    resume: (name) => call("POST", syncPath.resume(name), databaseAnswerSchema, {}),
    uploadSessions: () => call("GET", SYNC_ROUTES.admin.uploadSessions, uploadSessionsAnswerSchema),
    registers: () => call("GET", SYNC_ROUTES.admin.registers, registersAnswerSchema),
    close: () => http.close(),
  };
}
