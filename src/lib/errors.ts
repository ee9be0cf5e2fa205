// Errors that carry their exit code; cli.ts is the only place that turns them into a message and a code.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;

/** Base class: a message meant for a person, an exit code, and optionally a D365 error name and its fix. */
export class PosError extends Error {
  readonly exitCode: number;
  readonly code: string;
  readonly fix: string | undefined;
  constructor(message: string, exitCode: number, code: string, fix?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.code = code;
    this.fix = fix;
  }
}

/** Bad usage or bad input (exit 2): names what and where (file, line or step, field). */
export class UsageError extends PosError {
  constructor(message: string, code = "BadInput", fix?: string) {
    super(message, ExitCode.usage, code, fix);
  }
}

/** The operation ran and failed (exit 1). */
export class OperationError extends PosError {
  constructor(message: string, code = "OperationFailed", fix?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failed, code, fix, options);
  }
}

/** The server is unreachable where it is required and there is no offline fallback (exit 3). */
export class UnreachableError extends PosError {
  constructor(message: string, code = "ServerUnreachable", fix?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.unreachable, code, fix, options);
  }
}

/** The user pressed Ctrl-C (exit 130). */
export class InterruptedError extends PosError {
  constructor(message = "interrupted") {
    super(message, ExitCode.interrupted, "Interrupted");
  }
}

/** A bug: printed with its stack and a request to report it. */
export class InternalError extends PosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failed, "InternalError", undefined, options);
  }
}

/** Formats a zod-style issue path (["steps", 3, "sale", "lines"]) as `steps[3].sale.lines`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
}
