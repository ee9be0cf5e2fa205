// Sync routes a target uses (SPEC §9): list its download sessions, fetch a package, report each session's status.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { CDX_ERROR_CODES, type DownloadSession, SYNC_ROUTES, sessionStatusBodySchema } from "../../lib/api-sync.js";
import { ApiError, forbidden, notFound, parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOrDevice } from "../auth.js";
import { offlineDatabaseName } from "../cdx/databases.js";
import { checkNotBlocked, getSession, toDownloadSession } from "../cdx/sessions.js";
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

/**
 * Where a resumed download starts: `Range: bytes=N-` (what the register sends), honoured only while If-Range, when
 * sent, names this package's SHA-256. Any other range form, or another package, gets the whole package (RFC 9110 §14.2).
 */
export function resumeOffset(
  range: string | undefined,
  ifRange: string | string[] | undefined,
  sha256: string,
): number | undefined {
  if (!range) return undefined;
  const match = /^bytes=(\d+)-$/.exec(range.trim());
  if (!match) return undefined;
  if (ifRange !== undefined) {
    const tag = (Array.isArray(ifRange) ? ifRange[0] : ifRange)?.trim();
    if (tag !== `"${sha256}"`) return undefined;
  }
  return Number(match[1]);
}

export function registerSyncRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq } = deps.data;
  const auth = { onRequest: adminOrDevice(deps) };
  const sessionOf = async (request: FastifyRequest) => {
    const row = await getSession(hq, parseInput(idParams, request.params, "params").id);
    checkDatabaseAccess(request, row.database);
    return row;
  };

  app.get(SYNC_ROUTES.sessions, auth, async (request) => {
    const { database, status } = parseInput(listQuery, request.query, "query");
    checkDatabaseAccess(request, database);
    const statuses = status?.split(",").map((s) => s.trim());
    const rows = await hq.downloadSessions.list({ database, statuses });
    return { sessions: rows.map((s) => forCaller(request, toDownloadSession(s))) };
  });

  app.get(SYNC_ROUTES.session, auth, async (request) => ({
    session: forCaller(request, toDownloadSession(await sessionOf(request))),
  }));

  app.get(SYNC_ROUTES.package, auth, async (request, reply) => {
    const row = await sessionOf(request);
    if (row.status === "No data" || row.status === "Canceled" || row.status === "Suspended") {
      const fix = row.status === "Suspended" ? ` (pos cdx rerun ${row.id} makes it available again)` : "";
      throw new ApiError(409, CDX_ERROR_CODES.sessionState, `session ${row.id} is ${row.status}: no package${fix}`);
    }
    if (row.status !== "Applied") await checkNotBlocked(hq, row);
    if (!row.file || !existsSync(row.file)) throw notFound(`the package of session ${row.id} is missing at HQ`);
    // The file's own size: a package changed on disk must reach the target, whose size check refuses it.
    const size = statSync(row.file).size;
    reply
      .header("content-type", "application/octet-stream")
      .header("accept-ranges", "bytes")
      // The package's SHA-256 is its entity tag: a resumed download continues only the very same package.
      .header("etag", `"${row.sha256}"`)
      .header("x-sha256", row.sha256);
    const from = resumeOffset(request.headers.range, request.headers["if-range"], row.sha256);
    if (from !== undefined && from >= size) {
      reply.header("content-range", `bytes */${size}`);
      throw new ApiError(
        416,
        "RangeNotSatisfiable",
        `session ${row.id}'s package has ${size} bytes; asked from ${from}`,
      );
    }
    if (from === undefined || from === 0) {
      return reply.header("content-length", size).send(createReadStream(row.file));
    }
    return reply
      .code(206)
      .header("content-range", `bytes ${from}-${size - 1}/${size}`)
      .header("content-length", size - from)
      .send(createReadStream(row.file, { start: from }));
  });

  app.post(SYNC_ROUTES.status, auth, async (request) => {
    const row = await sessionOf(request);
    const body = parseInput(sessionStatusBodySchema, request.body, "body");
    const session = toDownloadSession(await hq.downloadSessions.report(row.id, body, isoTime(deps.clock.now())));
    return { session: forCaller(request, session) };
  });
}
