// Sync routes a target uses (SPEC §9): list its download sessions, fetch a package, report each session's status.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { CDX_ERROR_CODES, type DownloadSession, SYNC_ROUTES, sessionStatusBodySchema } from "../../lib/api-sync.js";
import { ApiError, forbidden, notFound, parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOrDevice } from "../auth.js";
import { offlineDatabaseName } from "../cdx/databases.js";
import { checkNotBlocked, getSession, listSessions, reportStatus, toDownloadSession } from "../cdx/sessions.js";
import { isoTime } from "../statements.js";

const idParams = z.object({ id: z.coerce.number().int().positive() });
const listQuery = z.object({
  database: z.string().min(1).max(200),
  /** Comma-separated statuses. */
  status: z.string().max(500).optional(),
});

/** A device token reaches only its own register's offline database (403 otherwise); the admin token any. */
function checkDatabaseAccess(request: FastifyRequest, database: string): void {
  const device = request.device;
  if (device && database !== offlineDatabaseName(device.register)) {
    throw forbidden(
      `the device token of register ${device.register} is valid for database ${offlineDatabaseName(device.register)}, not ${database}`,
    );
  }
}

/** Where HQ keeps a package is its own business: a device sees the session without the file path. */
function forCaller(request: FastifyRequest, session: DownloadSession): DownloadSession {
  if (!request.device) return session;
  const { file: _file, ...rest } = session;
  return rest;
}

export function registerSyncRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq } = deps.data;
  const auth = { onRequest: adminOrDevice(deps) };
  const sessionOf = (request: FastifyRequest) => {
    const row = getSession(hq, parseInput(idParams, request.params, "params").id);
    checkDatabaseAccess(request, row.database);
    return row;
  };

  app.get(SYNC_ROUTES.sessions, auth, async (request) => {
    const { database, status } = parseInput(listQuery, request.query, "query");
    checkDatabaseAccess(request, database);
    const statuses = status?.split(",").map((s) => s.trim());
    return { sessions: listSessions(hq, { database, statuses }).map((s) => forCaller(request, s)) };
  });

  app.get(SYNC_ROUTES.session, auth, async (request) => ({
    session: forCaller(request, toDownloadSession(sessionOf(request))),
  }));

  app.get(SYNC_ROUTES.package, auth, async (request, reply) => {
    const row = sessionOf(request);
    if (row.status === "No data" || row.status === "Canceled" || row.status === "Suspended") {
      const fix = row.status === "Suspended" ? ` (pos cdx rerun ${row.id} makes it available again)` : "";
      throw new ApiError(409, CDX_ERROR_CODES.sessionState, `session ${row.id} is ${row.status}: no package${fix}`);
    }
    if (row.status !== "Applied") checkNotBlocked(hq, row);
    if (!row.file || !existsSync(row.file)) throw notFound(`the package of session ${row.id} is missing at HQ`);
    return (
      reply
        .header("content-type", "application/octet-stream")
        // The file's own size: a package changed on disk must reach the target, whose size check refuses it.
        .header("content-length", statSync(row.file).size)
        .header("x-sha256", row.sha256)
        .send(createReadStream(row.file))
    );
  });

  app.post(SYNC_ROUTES.status, auth, async (request) => {
    const row = sessionOf(request);
    const body = parseInput(sessionStatusBodySchema, request.body, "body");
    const session = toDownloadSession(reportStatus(hq, row.id, body, isoTime(deps.clock.now())));
    return { session: forCaller(request, session) };
  });
}
