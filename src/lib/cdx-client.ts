// Client side of the CDX admin API (pos cdx): one call per route, answers typed by the contract in api-sync.ts.

import { type AdminConnection, adminCall } from "./admin-client.js";
import type {
  CancelAnswer,
  ChannelDatabase,
  DownloadSession,
  JobsAnswer,
  RegisterStatus,
  RunAnswer,
  RunBody,
  UploadSessionsAnswer,
} from "./api-sync.js";
import { SYNC_ROUTES, syncPath } from "./api-sync.js";
import { createHttpClient, type Method } from "./http.js";

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
  rerun(id: number): Promise<{ session: DownloadSession; changed?: boolean }>;
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
  const call = <T>(method: Method, path: string, body?: unknown) => adminCall<T>(http, method, path, body);
  return {
    jobs: () => call("GET", SYNC_ROUTES.admin.jobs),
    run: (body) => call("POST", SYNC_ROUTES.admin.run, body),
    sessions: (filter) => {
      const query = new URLSearchParams();
      if (filter.database !== undefined) query.set("database", filter.database);
      if (filter.status !== undefined) query.set("status", filter.status);
      if (filter.job !== undefined) query.set("job", filter.job);
      if (filter.limit !== undefined) query.set("limit", String(filter.limit));
      const text = query.toString();
      return call("GET", `${SYNC_ROUTES.admin.sessions}${text ? `?${text}` : ""}`);
    },
    rerun: (id) => call("POST", syncPath.rerun(id), {}),
    cancel: (id) => call("POST", syncPath.cancel(id), {}),
    databases: () => call("GET", SYNC_ROUTES.admin.databases),
    pause: (name) => call("POST", syncPath.pause(name), {}),
    resume: (name) => call("POST", syncPath.resume(name), {}),
    uploadSessions: () => call("GET", SYNC_ROUTES.admin.uploadSessions),
    registers: () => call("GET", SYNC_ROUTES.admin.registers),
    close: () => http.close(),
  };
}
