// The recurring distribution schedules part of the admin API (`pos cdx schedules`, `pos cdx try-count`).
import { z } from "zod";

export const SCHEDULE_ROUTES = {
  list: "/v1/admin/cdx/schedules",
  one: "/v1/admin/cdx/schedules/:job",
  tryCount: "/v1/admin/cdx/try-count",
} as const;

export const schedulePath = (job: string) => `/v1/admin/cdx/schedules/${encodeURIComponent(job)}`;

export const scheduleSchema = z.object({
  job: z.string(),
  name: z.string(),
  /** As `--schedule` takes it: `5m`, `24h`. */
  interval: z.string(),
  intervalMs: z.number(),
  paused: z.boolean(),
  lastRunAt: z.string().nullable(),
  lastResult: z.string().nullable(),
  nextRunAt: z.string().nullable(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const schedulesAnswerSchema = z.object({
  schedules: z.array(scheduleSchema),
  /** D365's tryCount: failed attempts after which a download session is Suspended. */
  tryCount: z.number().int(),
});
export type SchedulesAnswer = z.infer<typeof schedulesAnswerSchema>;

/** PUT /v1/admin/cdx/schedules/:job — `interval` as text (`5m`, `off`), `paused` to pause or resume. */
export const scheduleChangeBodySchema = z
  .strictObject({
    interval: z.string().min(1).max(20).optional(),
    paused: z.boolean().optional(),
  })
  .refine((b) => b.interval !== undefined || b.paused !== undefined, { message: "give interval or paused" });
export type ScheduleChangeBody = z.infer<typeof scheduleChangeBodySchema>;
export const scheduleAnswerSchema = z.object({ schedule: scheduleSchema });

export const tryCountBodySchema = z.strictObject({ tryCount: z.number().int() });
export const tryCountAnswerSchema = z.object({ tryCount: z.number().int() });
