// Builds the fastify app (HQ + retail server) without listening: routes, JSON errors, limits, database close.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, LogController } from "fastify";
import { ERROR_CODES, type ErrorBody } from "../lib/api.js";
import { ApiError } from "./api-error.js";
import { type AppDeps, DEFAULT_BODY_LIMIT } from "./app-deps.js";
import { HqUnavailableError } from "./hq/sql.js";
import { loggerOptions, registerRequestLog } from "./request-log.js";
import { registerAdminCdxRoutes } from "./routes/admin-cdx.js";
import { registerAdminChainRoutes } from "./routes/admin-chain.js";
import { registerAdminHqRoutes } from "./routes/admin-hq.js";
import { registerAdminOpsRoutes } from "./routes/admin-ops.js";
import { registerAdminScheduleRoutes } from "./routes/admin-schedules.js";
import { registerAsyncCustomerRoutes } from "./routes/async-customers.js";
import { ownDataRouteDeps, registerOwnDataRoutes } from "./routes/own-data.js";
import { registerRegisterRoutes } from "./routes/register.js";
import { registerStoreLinkRoutes } from "./routes/store-link.js";
import { registerSyncRoutes } from "./routes/sync.js";
import { registerTransactionRoutes, transactionRouteDeps } from "./routes/transactions.js";

/** What every server role's app is built on: limits, JSON errors, the shutdown 503, the request log. */
export type BaseAppOptions = Pick<AppDeps, "clock" | "bodyLimit" | "log" | "onInternalError">;

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = createBaseApp(deps);
  registerRegisterRoutes(app, deps);
  registerTransactionRoutes(app, transactionRouteDeps(deps));
  registerOwnDataRoutes(app, ownDataRouteDeps(deps));
  registerAdminHqRoutes(app, deps);
  registerAdminOpsRoutes(app, deps);
  registerSyncRoutes(app, deps);
  registerAdminCdxRoutes(app, deps);
  registerAdminChainRoutes(app, deps);
  if (deps.schedules) registerAdminScheduleRoutes(app, deps, deps.schedules);
  registerAsyncCustomerRoutes(app, deps);
  registerStoreLinkRoutes(app, deps);

  if (deps.closeData !== false) {
    // onClose runs after in-flight requests have finished, so no handler ever sees a closed database.
    app.addHook("onClose", async () => {
      await deps.data.close();
    });
  }
  return app;
}

export function createBaseApp(deps: BaseAppOptions): FastifyInstance {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    // With a log, each request is one line written by registerRequestLog; fastify's own two are off.
    ...(deps.log
      ? {
          logger: loggerOptions(deps.log, deps.clock),
          logController: new LogController({ disableRequestLogging: true }),
        }
      : { logger: false }),
    bodyLimit,
    // The shutdown 503 is answered below, in this API's error shape.
    return503OnClosing: false,
    // Errors fastify raises before routing (a malformed URL) get the same body shape as everything else.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(400).send(errorBody(ERROR_CODES.badRequest, error.message));
    },
  });
  app.decorateRequest("device", null);
  if (deps.log) registerRequestLog(app);
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // Requests that arrive on a kept-alive socket while the server drains: 503 (a register fails over on it).
  app.addHook("onRequest", async (_request, reply) => {
    if (closing) {
      void reply
        .code(503)
        .header("connection", "close")
        .send(errorBody(ERROR_CODES.serviceUnavailable, "the server is shutting down"));
      return reply;
    }
  });
  // JSON only: a text/plain body is refused (415) rather than handed to a route as a string.
  app.removeContentTypeParser(["text/plain"]);

  app.setErrorHandler((error: FastifyError | ApiError, _request, reply) => {
    const { statusCode, code, message } = toErrorAnswer(error, bodyLimit);
    // HQ's database away is a state, not a defect: answered 503, not reported as an internal error.
    if (statusCode >= 500 && !(error instanceof HqUnavailableError) && !(error instanceof ApiError)) {
      deps.onInternalError?.(error);
    }
    void reply.code(statusCode).send(errorBody(code, message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(errorBody(ERROR_CODES.notFound, `no route ${request.method} ${request.url.split("?")[0]}`));
  });

  return app;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

function toErrorAnswer(
  error: FastifyError | ApiError,
  bodyLimit: number,
): { statusCode: number; code: string; message: string } {
  if (error instanceof ApiError) return { statusCode: error.statusCode, code: error.code, message: error.message };
  if (error instanceof HqUnavailableError) {
    return { statusCode: 503, code: ERROR_CODES.serviceUnavailable, message: `${error.message}; try again later` };
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        statusCode: 413,
        code: ERROR_CODES.payloadTooLarge,
        message: `request body is larger than this route accepts (${bodyLimit} bytes for most routes)`,
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { statusCode: 415, code: ERROR_CODES.unsupportedMediaType, message: "send the body as application/json" };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { statusCode: 400, code: ERROR_CODES.badRequest, message: `malformed JSON body: ${error.message}` };
  }
  const statusCode = typeof error.statusCode === "number" ? error.statusCode : 500;
  if (statusCode >= 400 && statusCode < 500) {
    const code = statusCode === 413 ? ERROR_CODES.payloadTooLarge : ERROR_CODES.badRequest;
    return { statusCode, code, message: error.message };
  }
  return { statusCode: 500, code: ERROR_CODES.internal, message: "internal server error" };
}
