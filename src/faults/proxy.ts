// The fault proxy: a TCP-level HTTP/1.1 proxy between a register and its server that injects one fault at a time (SPEC §7).
import { createServer, type Server } from "node:net";
import { type Clock, systemClock } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import { type ConnectionHost, ProxyConnection } from "./connection.js";
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultSpec,
  faultMatchesPath,
  isUnlimited,
  NO_FAULT,
  toFaultSpec,
} from "./fault-spec.js";

export interface FaultProxyOptions {
  /** The server to forward to, e.g. `http://127.0.0.1:7100`. */
  target: string;
  host?: string;
  /** 0 (the default) picks a free port; the proxy keeps that port across `refuse` and heal. */
  port?: number;
  /** Times latency delays; the default is the system clock. */
  clock?: Clock;
}

export interface FaultProxyStats {
  /** Client connections open now. */
  connections: number;
  /** Requests read from clients. */
  requests: number;
  /** Requests sent on to the server (a faulted request may be forwarded too: latency, reset, lost-ack, stall). */
  forwarded: number;
  /** Requests each fault was applied to. */
  faulted: Record<Exclude<FaultKind, "none">, number>;
}

export interface FaultProxy {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly target: string;
  /** Applies a fault (FaultSpec, its text form, or `{fault, times, path}`); resolves once the listener matches it. */
  setFault(fault: unknown): Promise<FaultSpec>;
  /** The fault in force; `times` is what remains of it. */
  fault(): FaultSpec;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

/** The system clock, except that a pending latency delay does not keep a process alive once the proxy has closed. */
const detachedSystemClock: Clock = {
  now: () => systemClock.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseTarget(options.target);
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? detachedSystemClock;
  const connections = new Set<ProxyConnection>();
  const faulted = Object.fromEntries(FAULT_KINDS.filter((k) => k !== "none").map((k) => [k, 0])) as Record<
    Exclude<FaultKind, "none">,
    number
  >;
  let current: FaultSpec = NO_FAULT;
  let requests = 0;
  let forwarded = 0;
  let listener: Server | undefined;
  let port = options.port ?? 0;
  let closed = false;

  const connectionHost: ConnectionHost = {
    target,
    clock,
    decide(_method, path) {
      requests++;
      const spec = current;
      if (spec.kind === "none" || !faultMatchesPath(spec, path)) return NO_FAULT;
      faulted[spec.kind]++;
      if (spec.times !== undefined) current = spec.times > 1 ? { ...spec, times: spec.times - 1 } : NO_FAULT;
      return spec;
    },
    countForwarded() {
      forwarded++;
    },
    closed(connection) {
      connections.delete(connection);
    },
  };

  // A new server per listening period: a closed net.Server may not emit 'close' until old connections end.
  async function listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      if (closed) {
        socket.destroy();
        return;
      }
      connections.add(new ProxyConnection(socket, connectionHost));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === "object") port = address.port;
    listener = server;
  }

  function stopListening(): Promise<void> {
    const server = listener;
    listener = undefined;
    if (!server) return Promise.resolve();
    // The listening socket closes at once; the callback waits for connections, which callers destroy.
    return new Promise((resolve) => server.close(() => resolve()));
  }

  function destroyAll(): void {
    for (const connection of [...connections]) connection.destroy();
  }

  await listen();

  const proxy: FaultProxy = {
    get url() {
      return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    },
    host,
    get port() {
      return port;
    },
    target: options.target,
    async setFault(input) {
      if (closed) throw new Error("the fault proxy is closed");
      const spec = toFaultSpec(input);
      current = spec;
      if (spec.kind === "stall") {
        // An unlimited stall freezes connections already in use too; a limited one only its own requests.
        if (isUnlimited(spec)) for (const connection of connections) connection.hold();
      } else {
        const held = [...connections].filter((connection) => connection.isHeld);
        // 'stall then reset' and 'stall then refuse' kill what was held; every other change lets it proceed.
        if (spec.kind === "reset" || spec.kind === "refuse") for (const connection of held) connection.reset();
        else for (const connection of held) connection.release();
      }
      if (spec.kind === "refuse" && isUnlimited(spec)) {
        const stopped = stopListening();
        // Keep-alive sockets would otherwise carry requests past a closed listener.
        destroyAll();
        await stopped;
      } else if (!listener) {
        await listen();
      }
      return spec;
    },
    fault: () => current,
    stats: () => ({ connections: connections.size, requests, forwarded, faulted: { ...faulted } }),
    async close() {
      if (closed) return;
      closed = true;
      const stopped = stopListening();
      destroyAll();
      await stopped;
    },
  };
  return proxy;
}

function parseTarget(text: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`target "${text}" is not a URL (expected http://host:port)`, "BadTarget");
  }
  if (url.protocol !== "http:") {
    throw new UsageError(`target "${text}" must be an http:// URL (the proxy speaks plain HTTP/1.1)`, "BadTarget");
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: url.port ? Number(url.port) : 80 };
}
