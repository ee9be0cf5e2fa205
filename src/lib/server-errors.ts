// The one mapping from what the server answered to a CLI error: every command and service uses it.
import { errorBodySchema } from "./api.js";
import { OperationError, type PosError, UnreachableError, UsageError } from "./errors.js";
import { type FailedAnswer, type HttpResponse, NetworkError, UnexpectedAnswerError } from "./http.js";

/**
 * Statuses that say the request itself was wrong: what the user typed (a bad price, an unknown id) reaches the
 * server as a request body or path, so these are bad input (exit 2). Every other status is a failed operation.
 */
const INPUT_STATUSES = new Set([400, 404, 413, 415, 422]);

/** A non-2xx answer as one CLI error: the server's own code and message, prefixed with what was being done. */
export function toCliError(answer: FailedAnswer, what?: string): PosError {
  const parsed = errorBodySchema.safeParse(answer.body);
  const said = parsed.success
    ? parsed.data.error.message
    : `the server at ${answer.server} answered ${answer.status} to ${answer.method} ${answer.path}`;
  const code = parsed.success ? parsed.data.error.code : `HTTP${answer.status}`;
  const message = what ? `${what}: ${said}` : said;
  return INPUT_STATUSES.has(answer.status) ? new UsageError(message, code) : new OperationError(message, code);
}

/**
 * Runs a request for a command: no answer at all is UnreachableError (exit 3), an answer that breaks the
 * contract an OperationError naming the server and the field.
 */
export async function callServer<T>(request: () => Promise<T>, fix = "start the server or check its URL"): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof UnexpectedAnswerError) throw new OperationError(error.message, "UnexpectedAnswer");
    if (error instanceof NetworkError) {
      throw new UnreachableError(`server unreachable: ${error.message}`, "ServerUnreachable", fix);
    }
    throw error;
  }
}

/** The checked body of a 2xx answer, or the CLI error the answer means. */
export async function answerOf<T>(request: () => Promise<HttpResponse<T>>, what?: string): Promise<T> {
  const answer = await callServer(request);
  if (!answer.ok) throw toCliError(answer, what);
  return answer.body;
}
