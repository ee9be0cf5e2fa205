// Starts the server on a port (databases, admin token, server.json) and shuts it down gracefully.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Clock } from "../lib/clock.js";
import { OperationError } from "../lib/errors.js";
import { ownSignal } from "../lib/signals.js";
import { buildApp } from "./app.js";
import { syncAsyncCustomers } from "./async-customers.js";
import type { CdxStartup } from "./cdx/service.js";
import { dataFiles, type MasterData, openServerData } from "./data.js";
import { type HomeLock, lockHome } from "./home-lock.js";
import type { RequestLogOptions } from "./request-log.js";
import type { ScheduleChange } from "./schedules/rules.js";
import { createScheduler, type DistributionScheduler, type ScheduledRun } from "./schedules/scheduler.js";
import { isoTime } from "./statements.js";
import { ensureAdminToken } from "./tokens.js";

export interface StartServerOptions {
  /** Where hq.db, channel-<store>.db and admin-token live. */
  dataDir: string;
  /** HQ on PostgreSQL (postgres://…); absent: SQLite hq.db in dataDir. */
  database?: string;
  /** Where server.json (url + token file) is written for `pos hq` and others: `<home>/server`. */
  serverDir: string;
  host: string;
  port: number;
  clock: Clock;
  version: string;
  fixtures: () => Promise<MasterData> | MasterData;
  /** Bytes; see AppDeps. */
  bodyLimit?: number;
  uploadBodyLimit?: number;
  /**
   * Seconds between the server's applies of its channel databases' sessions; 0 or absent: at once, inside each
   * distribution run.
   */
  channelDownloadIntervalSec?: number;
  /** Request log (JSON lines); absent: none. */
  log?: RequestLogOptions;
  /** `--schedule`: changes to the recurring distribution schedules (saved at HQ). */
  schedule?: readonly ScheduleChange[];
  /** `--try-count`: failed attempts that suspend a download session (saved at HQ). */
  tryCount?: number;
  /** Told about every scheduled run as it ends. */
  onScheduledRun?: (run: ScheduledRun) => void;
  /** How long close() lets in-flight requests finish before cutting connections. */
  shutdownGraceMs?: number;
  onInternalError?: (error: unknown) => void;
}

export interface ServerInfo {
  url: string;
  host: string;
  port: number;
  adminTokenFile: string;
  dataDir: string;
  serverFile: string;
  pid: number;
  startedAt: string;
  /** Where HQ lives: the hq.db file, or postgres://user@host:port/database (never the password). */
  hq: string;
}

export interface RunningServer extends ServerInfo {
  adminToken: string;
  adminTokenCreated: boolean;
  loadedRows: number;
  distribution: CdxStartup;
  /** The recurring distribution schedules, running on the server's clock. */
  schedules: DistributionScheduler;
  close(): Promise<void>;
}

export function serverFile(serverDir: string): string {
  return join(serverDir, "server.json");
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(options.serverDir, { recursive: true });
  // Before any database is opened: a second server in the same home must not touch them.
  const lock = lockHome(options.serverDir, new Date(options.clock.now()).toISOString());
  try {
    return await startLocked(options, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLocked(options: StartServerOptions, lock: HomeLock): Promise<RunningServer> {
  const files = dataFiles(options.dataDir);
  const admin = ensureAdminToken(files.adminTokenFile);
  const intervalSec = options.channelDownloadIntervalSec ?? 0;
  const opened = await openServerData({
    dataDir: options.dataDir,
    clock: options.clock,
    fixtures: options.fixtures,
    applyChannelAtOnce: intervalSec <= 0,
    ...(options.database === undefined ? {} : { database: options.database }),
  });
  const schedules = await createScheduler({
    hq: opened.data.hq,
    clock: options.clock,
    run: (body) => opened.data.cdx.run(body),
    syncCustomers: async () => (await syncAsyncCustomers(opened.data.hq, isoTime(options.clock.now()))).created.length,
    ...(options.schedule ? { changes: options.schedule } : {}),
    ...(options.tryCount === undefined ? {} : { tryCount: options.tryCount }),
    ...(options.onScheduledRun ? { onRun: options.onScheduledRun } : {}),
  }).catch(async (error: unknown) => {
    await opened.data.close();
    throw error;
  });
  const app = buildApp({
    data: opened.data,
    schedules,
    clock: options.clock,
    adminToken: admin.token,
    version: options.version,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.uploadBodyLimit === undefined ? {} : { uploadBodyLimit: options.uploadBodyLimit }),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "EADDRINUSE"
        ? `port ${options.port} is in use (pick another with --port, or --port 0 for a free one)`
        : code === "EADDRNOTAVAIL"
          ? `address ${options.host} is not on this machine`
          : (error as Error).message;
    throw new OperationError(`cannot listen on ${options.host}:${options.port}: ${reason}`, "ListenFailed");
  }
  const address = app.server.address() as AddressInfo;
  const info: ServerInfo = {
    url: `http://${urlHost(options.host, address)}:${address.port}`,
    host: options.host,
    port: address.port,
    adminTokenFile: files.adminTokenFile,
    dataDir: options.dataDir,
    serverFile: serverFile(options.serverDir),
    pid: process.pid,
    startedAt: new Date(options.clock.now()).toISOString(),
    hq: opened.data.hq.location,
  };
  lock.update(info.url);
  writeServerFile(info);
  schedules.start();
  const channelTimer =
    intervalSec > 0
      ? setInterval(() => {
          opened.data.cdx.applyChannels().catch((error: unknown) => options.onInternalError?.(error));
        }, intervalSec * 1000)
      : undefined;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(channelTimer);
      // A scheduled run in progress finishes before the databases close.
      await schedules.stop();
      // fastify.close stops accepting, answers 503 on kept-alive sockets, waits for in-flight requests, then
      // runs onClose (databases). A client that never finishes its request must not hold shutdown forever.
      const grace = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
      // A keep-alive socket whose request finishes during shutdown turns idle afterwards; close such sockets as
      // they appear instead of waiting for the keep-alive timeout.
      const idle = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearTimeout(grace);
        clearInterval(idle);
        removeServerFile(info);
        lock.release();
      }
    })();
    return closing;
  };
  return {
    ...info,
    adminToken: admin.token,
    adminTokenCreated: admin.created,
    loadedRows: opened.loadedRows,
    distribution: opened.distribution,
    schedules,
    close,
  };
}

function urlHost(host: string, address: AddressInfo): string {
  // A wildcard bind is reached through loopback from this machine.
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

function writeServerFile(info: ServerInfo): void {
  const temp = `${info.serverFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(temp, info.serverFile);
}

/** Removes server.json if it is still ours (a second server may have started in the same home since). */
function removeServerFile(info: ServerInfo): void {
  try {
    const current = JSON.parse(readFileSync(info.serverFile, "utf8")) as Partial<ServerInfo>;
    if (current.pid === info.pid && current.port === info.port) rmSync(info.serverFile, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

/**
 * Resolves once SIGINT or SIGTERM has arrived and the server has closed. Signals after the first are absorbed
 * until the process ends: the clean stop has begun, so a second Ctrl-C does not kill a commit, and a supervisor
 * that repeats SIGTERM while the process is exiting does not turn its exit 0 into 143.
 */
export function closeOnSignal(
  server: RunningServer,
  onSignal?: (signal: NodeJS.Signals) => void,
): Promise<NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
    const handler = ownSignal((signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, handler);
      for (const s of signals) process.on(s, ignore);
      onSignal?.(signal);
      server.close().then(() => resolve(signal), reject);
    });
    for (const s of signals) process.on(s, handler);
  });
}

const ignore = ownSignal((): void => {});
