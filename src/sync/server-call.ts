// How sync commands talk to the server: a network failure is "unreachable" (exit 3), an error answer an OperationError.
import { OperationError, UnreachableError } from "../lib/errors.js";
import { NetworkError } from "../lib/http.js";

export async function callServer<T>(request: () => Promise<T>, fix = "start the server or check its URL"): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof NetworkError)
      throw new UnreachableError(`server unreachable: ${error.message}`, "ServerUnreachable", fix);
    throw error;
  }
}

export function errorText(body: unknown): string {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return error ? `${error.code}: ${error.message}` : String(body ?? "");
}

export function answerError(what: string, response: { status: number; body: unknown }): OperationError {
  return new OperationError(`${what}: server answered ${response.status}: ${errorText(response.body)}`, "SyncFailed");
}
