// Starts a store server (--role store): its channel databases and device tokens, HQ reached over HTTP.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../lib/clock.js";
import type { Db } from "../../lib/db.js";
import { UsageError } from "../../lib/errors.js";
import { createBaseApp } from "../app.js";
import { openChannelDatabase } from "../channel-db.js";
import { dataFiles } from "../data.js";
import { lockHome } from "../home-lock.js";
import type { RequestLogOptions } from "../request-log.js";
import { type ServerInfo, serve } from "../start.js";
import { ensureAdminToken } from "../tokens.js";
import { catchUp, refreshDevices, type StoreRound } from "./catch-up.js";
import { createHqLink, HqAnswerError, HqAwayError } from "./hq-link.js";
import { openStoreLocal } from "./local.js";
import { registerStoreRoutes } from "./routes.js";

export interface StartStoreOptions {
  dataDir: string;
  serverDir: string;
  host: string;
  port: number;
  clock: Clock;
  version: string;
  /** Store ids whose channel databases this server holds. */
  stores: readonly string[];
  hqUrl: string;
  /** The store server's credential at HQ (HQ's admin token). */
  hqToken: string;
  /** Seconds between rounds with HQ (pull channel sessions, push P-0001); 0: only on request. */
  intervalSec: number;
  log?: RequestLogOptions;
  bodyLimit?: number;
  uploadBodyLimit?: number;
  shutdownGraceMs?: number;
  onInternalError?: (error: unknown) => void;
  /** Told about every round that did something or failed (the interval loop's and the admin route's). */
  onRound?: (rounds: StoreRound[]) => void;
}

export interface RunningStoreServer extends ServerInfo {
  stores: readonly string[];
  /** Set when HQ did not answer at start: the server sells anyway and catches up when HQ is back. */
  hqAway: string | null;
  close(): Promise<void>;
}

export async function startStoreServer(options: StartStoreOptions): Promise<RunningStoreServer> {
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(options.serverDir, { recursive: true });
  const lock = lockHome(options.serverDir, new Date(options.clock.now()).toISOString());
  const hq = createHqLink(options.hqUrl, options.hqToken);
  const channels = new Map<string, Db>();
  let local: ReturnType<typeof openStoreLocal> | undefined;
  const closeData = () => {
    for (const db of channels.values()) if (db.open) db.close();
    local?.close();
    hq.close();
  };
  try {
    const hqAway = await checkStoresAtHq(hq, options.stores, options.hqUrl);
    const files = dataFiles(options.dataDir);
    const admin = ensureAdminToken(files.adminTokenFile);
    local = openStoreLocal(join(options.dataDir, "store.db"));
    for (const store of options.stores) channels.set(store, openChannelDatabase(files.channelDb(store)));
    const ctx = { hq, clock: options.clock, channels, workDir: join(options.dataDir, "incoming") };
    // One round at a time: the interval's and an admin's never overlap on a channel database's session order.
    let tail: Promise<unknown> = Promise.resolve();
    const round = (): Promise<StoreRound[]> => {
      const next = tail.then(async () => {
        await refreshDevices(hq, storeLocal, new Set(channels.keys()));
        const rounds = await catchUp(ctx);
        options.onRound?.(rounds);
        return rounds;
      });
      tail = next.catch(() => undefined);
      return next;
    };
    const app = createBaseApp({
      clock: options.clock,
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
      ...(options.log ? { log: options.log } : {}),
      ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    });
    const storeLocal = local;
    registerStoreRoutes(app, {
      channels,
      local: storeLocal,
      hq,
      clock: options.clock,
      adminToken: admin.token,
      version: options.version,
      uploadBodyLimit: options.uploadBodyLimit,
      catchUp: round,
    });
    app.addHook("onClose", async () => {
      await tail;
      closeData();
    });
    const stop = new AbortController();
    let loop: Promise<void> = Promise.resolve();
    const { info, close } = await serve(app, options, lock, files.adminTokenFile, hq.url, {
      started() {
        loop = (async () => {
          // The first round at once: channel databases new to this home get their full packages.
          while (!stop.signal.aborted) {
            // Rounds start every interval (the wait is taken before the round: a slow round does not stretch it).
            const due = options.intervalSec > 0 ? options.clock.sleep(options.intervalSec * 1000, stop.signal) : null;
            await round().catch((error: unknown) => options.onInternalError?.(error));
            if (!due) return;
            await due;
          }
        })();
      },
      async stopping() {
        stop.abort();
        await loop;
      },
    });
    return { ...info, stores: options.stores, hqAway, close };
  } catch (error) {
    closeData();
    lock.release();
    throw error;
  }
}

/**
 * Every store must be HQ's (exit 2 otherwise). An HQ that does not answer is not fatal: a store must be able to
 * start and sell while HQ is away; the answer is the warning to print.
 */
async function checkStoresAtHq(
  hq: ReturnType<typeof createHqLink>,
  stores: readonly string[],
  hqUrl: string,
): Promise<string | null> {
  for (const store of stores) {
    try {
      if ((await hq.store(store)) === undefined) {
        throw new UsageError(`--stores: store ${store} is not defined at HQ ${hqUrl} (pos hq chain stores lists them)`);
      }
    } catch (error) {
      if (error instanceof HqAwayError) return error.message;
      if (error instanceof HqAnswerError && error.code === "HqRefused") {
        throw new UsageError(
          `--hq-token-file: HQ ${hqUrl} refused the token (use HQ's admin token, <hq home>/server/admin-token)`,
        );
      }
      throw error;
    }
  }
  return null;
}
