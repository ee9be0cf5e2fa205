// Client side of the schedule admin API (`pos cdx schedules`, `pos cdx try-count`): answers checked by their schemas.
import { type AdminConnection, adminCall } from "./admin-client.js";
import {
  SCHEDULE_ROUTES,
  type Schedule,
  type ScheduleChangeBody,
  type SchedulesAnswer,
  scheduleAnswerSchema,
  schedulePath,
  schedulesAnswerSchema,
  tryCountAnswerSchema,
} from "./api-schedules.js";
import { createHttpClient } from "./http.js";

export interface SchedulesClient {
  list(): Promise<SchedulesAnswer>;
  change(job: string, body: ScheduleChangeBody): Promise<{ schedule: Schedule }>;
  setTryCount(tryCount: number): Promise<{ tryCount: number }>;
  close(): void;
}

export function createSchedulesClient(connection: AdminConnection, timeoutMs = 10_000): SchedulesClient {
  const http = createHttpClient({ baseUrl: connection.url, token: connection.token, timeoutMs });
  return {
    list: () => adminCall(http, "GET", SCHEDULE_ROUTES.list, schedulesAnswerSchema),
    change: (job, body) => adminCall(http, "PUT", schedulePath(job), scheduleAnswerSchema, body),
    setTryCount: (tryCount) => adminCall(http, "PUT", SCHEDULE_ROUTES.tryCount, tryCountAnswerSchema, { tryCount }),
    close: () => http.close(),
  };
}
