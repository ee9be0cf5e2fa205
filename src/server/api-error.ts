// Errors services raise for the HTTP layer: a status, a code and a message — the `{"error":{…}}` body.
import type { z } from "zod";
import { ERROR_CODES } from "../lib/api.js";
import { formatPath } from "../lib/errors.js";

export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.statusCode = statusCode;
    this.code = code;
  }
}

export const notFound = (message: string) => new ApiError(404, ERROR_CODES.notFound, message);
export const validationFailed = (message: string) => new ApiError(400, ERROR_CODES.validationFailed, message);
export const forbidden = (message: string) => new ApiError(403, ERROR_CODES.forbidden, message);

/** Parses request input with a zod schema; the first issue becomes a 400 naming the field path. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: "body" | "query" | "params",
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw validationFailed(describeIssue(parsed.error, where));
}

export function describeIssue(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  if (!issue) return `${where}: invalid`;
  const path = issue.path.length ? `${where}.${formatPath(issue.path)}` : where;
  return `${path}: ${issue.message}`;
}
