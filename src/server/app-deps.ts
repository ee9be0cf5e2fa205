// What the HTTP app is built from: databases, clock, admin token, limits — passed in, never global.
import type { Clock } from "../lib/clock.js";
import type { ServerData } from "./data.js";
import type { RequestLogOptions } from "./request-log.js";
import type { DistributionScheduler } from "./schedules/scheduler.js";

export interface AppDeps {
  data: ServerData;
  clock: Clock;
  adminToken: string;
  /** The pos version, shown by /v1/health. */
  version: string;
  /** Bytes; default 1 MiB for every route but the batch upload. */
  bodyLimit?: number;
  /** Bytes; default 32 MiB (UPLOAD_MAX_TRANSACTIONS transactions fit). */
  uploadBodyLimit?: number;
  /** Told about every 500 (a bug): the error itself never reaches the client. */
  onInternalError?: (error: unknown) => void;
  /** Log every request as a JSON line (pos server start --log-level/--log-file); default: no log. */
  log?: RequestLogOptions;
  /** Recurring distribution schedules (`pos server start`); without them the schedule routes are absent. */
  schedules?: DistributionScheduler;
  /** Close the databases when the app closes (default true). */
  closeData?: boolean;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_UPLOAD_BODY_LIMIT = 32 * 1024 * 1024;
