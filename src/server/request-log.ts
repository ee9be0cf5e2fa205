// Request logging (pos server start --log-level/--log-file): fastify's own logger, one JSON line per request.
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { Clock } from "../lib/clock.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RequestLogOptions {
  level: LogLevel;
  /** JSON lines are appended here; without it they go to stderr. */
  file?: string;
}

/**
 * pino options for fastify. Time comes from the server's clock (virtual in a replay) as ISO text. Requests are
 * logged once, when answered (see registerRequestLog); fastify's own two lines per request are off, and its
 * request serializer never includes headers — the redaction below is the second lock on tokens.
 */
export function loggerOptions(
  options: RequestLogOptions,
  clock: Clock,
): Exclude<FastifyServerOptions["logger"], boolean | undefined> {
  return {
    level: options.level,
    ...(options.file ? { file: options.file } : {}),
    base: { pid: process.pid },
    // "info" reads better than 30 for a person; tools that want numbers still get a fixed vocabulary.
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: () => `,"time":"${new Date(clock.now()).toISOString()}"`,
    redact: {
      paths: ["req.headers.authorization", "headers.authorization", "authorization", "token", "*.token"],
      censor: "[redacted]",
    },
  };
}

/**
 * One line per answered request: request id, register (the device token's, or the one named in the path),
 * method, route pattern and path, status, response time. 5xx are `error`, other 4xx `warn`, the rest `info`;
 * at `debug` the arrival is logged too, with the body size.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    request.log.debug(
      { method: request.method, url: pathOf(request.url), bytes: Number(request.headers["content-length"] ?? 0) },
      "request received",
    );
  });
  app.addHook("onResponse", async (request, reply) => {
    const params = request.params as Record<string, unknown> | undefined;
    const named = typeof params?.register === "string" ? params.register : null;
    const status = reply.statusCode;
    const line = {
      register: request.device?.register ?? named,
      store: request.device?.store ?? null,
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: pathOf(request.url),
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (status >= 500) request.log.error(line, "request answered");
    else if (status >= 400) request.log.warn(line, "request answered");
    else request.log.info(line, "request answered");
  });
}

/** The path without its query string: queries may carry search text, never needed to follow a register. */
function pathOf(url: string): string {
  return url.split("?")[0] ?? url;
}
