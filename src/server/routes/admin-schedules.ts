// Admin routes behind `pos cdx schedules` and `pos cdx try-count`: recurring distribution schedules and the try count.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  SCHEDULE_ROUTES,
  type ScheduleChangeBody,
  scheduleChangeBodySchema,
  tryCountBodySchema,
} from "../../lib/api-schedules.js";
import { parseInput, validationFailed } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { parseInterval, parseJob, parseTryCount, type ScheduleChange, ScheduleInputError } from "../schedules/rules.js";
import type { DistributionScheduler } from "../schedules/scheduler.js";

const jobParams = z.object({ job: z.string().min(1).max(20) });

export function registerAdminScheduleRoutes(app: FastifyInstance, deps: AppDeps, schedules: DistributionScheduler) {
  const admin = { onRequest: adminOnly(deps) };

  app.get(SCHEDULE_ROUTES.list, admin, async () => schedules.list());

  app.put(SCHEDULE_ROUTES.one, admin, async (request) => {
    const { job } = parseInput(jobParams, request.params, "params");
    const body = parseInput(scheduleChangeBodySchema, request.body, "body");
    return { schedule: await schedules.change(asChange(job, body)) };
  });

  app.put(SCHEDULE_ROUTES.tryCount, admin, async (request) => {
    const body = parseInput(tryCountBodySchema, request.body, "body");
    return { tryCount: await schedules.setTryCount(inputOrBadRequest(() => parseTryCount(body.tryCount))) };
  });
}

function asChange(jobText: string, body: ScheduleChangeBody): ScheduleChange {
  return inputOrBadRequest(() => {
    const job = parseJob(jobText);
    const change: ScheduleChange = body.interval === undefined ? { job } : parseInterval(job, body.interval);
    return body.paused === undefined ? change : { ...change, paused: body.paused };
  });
}

/** A schedule the rules refuse is the client's mistake: 400 with the rule's words. */
function inputOrBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ScheduleInputError) throw validationFailed(error.message);
    throw error;
  }
}
