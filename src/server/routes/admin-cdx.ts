// Admin routes behind `pos cdx`: jobs, runs, sessions (rerun, cancel), databases (pause), uploads, register status.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  DOWNLOAD_STATUSES,
  type JobsAnswer,
  runBodySchema,
  SYNC_ROUTES,
  sessionsQuerySchema,
} from "../../lib/api-sync.js";
import { DOWNLOAD_JOB_IDS, DOWNLOAD_JOBS } from "../../schema/tables.js";
import { parseInput, validationFailed } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { requireDatabase, setPaused } from "../cdx/databases.js";
import { listRegisterStatus } from "../cdx/register-status.js";
import { ALL_JOBS, jobsOf } from "../cdx/schedule.js";
import { UPLOAD_JOB } from "../cdx/service.js";
import { getSession, toDownloadSession } from "../cdx/sessions.js";
import { listUploadSessions } from "../cdx/upload.js";
import { isoTime } from "../statements.js";

const idParams = z.object({ id: z.coerce.number().int().positive() });
const nameParams = z.object({ name: z.string().min(1).max(200) });

const JOBS: JobsAnswer = {
  jobs: [
    ...DOWNLOAD_JOB_IDS.map((id) => ({
      id,
      name: DOWNLOAD_JOBS[id].name,
      kind: "download" as const,
      tables: [...DOWNLOAD_JOBS[id].tables],
    })),
    {
      id: ALL_JOBS,
      name: "All download jobs",
      kind: "download",
      tables: DOWNLOAD_JOB_IDS.flatMap((id) => [...DOWNLOAD_JOBS[id].tables]),
    },
    { id: UPLOAD_JOB, name: "Upload transactions to HQ", kind: "upload", tables: ["transactions"] },
  ],
};

export function registerAdminCdxRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq, channels, cdx } = deps.data;
  const admin = { onRequest: adminOnly(deps) };
  const id = (params: unknown) => parseInput(idParams, params, "params").id;

  app.get(SYNC_ROUTES.admin.jobs, admin, async () => JOBS);

  app.post(SYNC_ROUTES.admin.run, admin, async (request) => cdx.run(parseInput(runBodySchema, request.body, "body")));

  app.get(SYNC_ROUTES.admin.sessions, admin, async (request) => {
    const query = parseInput(sessionsQuerySchema, request.query, "query");
    if (query.database !== undefined) await requireDatabase(hq, query.database);
    if (query.job !== undefined && query.job !== ALL_JOBS) jobsOf(query.job);
    const statuses = query.status?.split(",").map((s) => s.trim());
    const unknown = statuses?.find((s) => !(DOWNLOAD_STATUSES as readonly string[]).includes(s));
    if (unknown !== undefined) {
      throw validationFailed(`query.status: unknown status "${unknown}" (one of: ${DOWNLOAD_STATUSES.join(", ")})`);
    }
    return {
      sessions: (
        await hq.downloadSessions.list({
          database: query.database,
          job: query.job === ALL_JOBS ? undefined : query.job,
          statuses,
          limit: query.limit ?? 200,
        })
      ).map(toDownloadSession),
    };
  });

  app.post(SYNC_ROUTES.admin.rerun, admin, async (request) => {
    const before = toDownloadSession(await getSession(hq, id(request.params)));
    const after = toDownloadSession(await hq.distribution.rerunSession(before.id));
    return { session: after, changed: before.status !== "Available" };
  });

  app.post(SYNC_ROUTES.admin.cancel, admin, async (request) =>
    hq.distribution.cancelSession(id(request.params), isoTime(deps.clock.now())),
  );

  app.get(SYNC_ROUTES.admin.databases, admin, async () => ({ databases: await hq.distribution.listDatabases() }));

  for (const [route, paused] of [
    [SYNC_ROUTES.admin.pause, true],
    [SYNC_ROUTES.admin.resume, false],
  ] as const) {
    app.post(route, admin, async (request) => {
      const { name } = parseInput(nameParams, request.params, "params");
      await requireDatabase(hq, name);
      return { database: await setPaused(hq, name, paused) };
    });
  }

  app.get(SYNC_ROUTES.admin.uploadSessions, admin, async () => listUploadSessions(hq, channels));

  app.get(SYNC_ROUTES.admin.registers, admin, async () => ({ registers: await listRegisterStatus(hq) }));
}
