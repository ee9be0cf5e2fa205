// One emulated register's connection: a keep-alive socket of its own, JSON in and out, each request timed.
import { Agent, request } from "node:http";

export interface TimedAnswer {
  /** 0 when no answer came (then `error` says why). */
  status: number;
  body: unknown;
  ms: number;
  error: string | null;
}

export interface RegisterConnection {
  call(method: "GET" | "POST", path: string, body?: unknown, token?: string): Promise<TimedAnswer>;
  close(): void;
}

/**
 * Raw node:http with one socket per register (maxSockets 1), as a real register holds one connection: the load
 * generator must be much cheaper than the server it measures, which got/fetch are not at hundreds of registers.
 */
export function createRegisterConnection(baseUrl: string, timeoutMs: number): RegisterConnection {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    call(method, path, body, token) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const started = performance.now();
      return new Promise<TimedAnswer>((resolve) => {
        const done = (answer: Omit<TimedAnswer, "ms">) => resolve({ ...answer, ms: performance.now() - started });
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent,
            headers: {
              accept: "application/json",
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(payload === undefined
                ? {}
                : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", (error) => done({ status: 0, body: null, error: error.message }));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              let parsed: unknown = text;
              try {
                parsed = text ? JSON.parse(text) : null;
              } catch {
                // A body that is not JSON stays text; the caller judges the status.
              }
              done({ status: res.statusCode ?? 0, body: parsed, error: null });
            });
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
        req.on("error", (error: NodeJS.ErrnoException) =>
          done({ status: 0, body: null, error: error.code ?? error.message }),
        );
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
