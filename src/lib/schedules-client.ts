// Client side of the schedule admin API (`pos cdx schedules`, `pos cdx try-count`): answers parsed by their schemas.
import type { z } from "zod";
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
import { OperationError } from "./errors.js";
import { createHttpClient, type Method } from "./http.js";

export interface SchedulesClient {
  list(): Promise<SchedulesAnswer>;
  change(job: string, body: ScheduleChangeBody): Promise<{ schedule: Schedule }>;
  setTryCount(tryCount: number): Promise<{ tryCount: number }>;
  close(): void;
}

export function createSchedulesClient(connection: AdminConnection, timeoutMs = 10_000): SchedulesClient {
  const http = createHttpClient({ baseUrl: connection.url, token: connection.token, timeoutMs });
  const call = async <S extends z.ZodType>(schema: S, method: Method, path: string, body?: unknown) => {
    const answer = schema.safeParse(await adminCall<unknown>(http, method, path, body));
    if (!answer.success) {
      const issue = answer.error.issues[0];
      throw new OperationError(
        `server ${connection.url} sent an unexpected answer to ${method} ${path}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
        "BadServerAnswer",
      );
    }
    return answer.data as z.output<S>;
  };
  return {
    list: () => call(schedulesAnswerSchema, "GET", SCHEDULE_ROUTES.list),
    change: (job, body) => call(scheduleAnswerSchema, "PUT", schedulePath(job), body),
    setTryCount: (tryCount) => call(tryCountAnswerSchema, "PUT", SCHEDULE_ROUTES.tryCount, { tryCount }),
    close: () => http.close(),
  };
}
