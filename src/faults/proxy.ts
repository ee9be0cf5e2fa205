// The fault proxy: a TCP-level HTTP/1.1 proxy between a register and its server that injects stacked, seeded faults (SPEC §7).
import { createServer, type Server } from "node:net";
import { type Clock, systemClock } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import { type ConnectionHost, ProxyConnection } from "./connection.js";
import { type FaultSpec, isUnlimited, NO_FAULT, toFaultList, toFaultSpec } from "./fault-spec.js";
import { type ActiveFault, type FaultCounters, FaultStack, randomSeed } from "./fault-stack.js";

export interface FaultProxyOptions {
  /** The server to forward to, e.g. `http://127.0.0.1:7100`. */
  target: string;
  host?: string;
  /** 0 (the default) picks a free port; the proxy keeps that port across `refuse` and heal. */
  port?: number;
  /** Times latency delays; the default is the system clock. */
  clock?: Clock;
  /** Seeds the draws of `probability` and `jitter`; a random one (reported in stats) when absent. */
  seed?: number;
}

export interface FaultProxyStats {
  /** Client connections open now. */
  connections: number;
  /** Client connections accepted since the start (or the last reset). */
  connectionsTotal: number;
  /** Requests read from clients. */
  requests: number;
  /** Requests sent on to the server (a faulted request may be forwarded too: latency, reset, lost-ack, stall). */
  forwarded: number;
  /** Bytes written to the server (`up`) and to clients (`down`). */
  bytes: { up: number; down: number };
  /** Requests each fault was applied to. */
  faulted: FaultCounters;
  /** The seed the draws come from. */
  seed: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly target: string;
  /**
   * Replaces the faults in force with one (FaultSpec, its text form, or `{fault, times, path, …}`) or a list of them
   * (stacked); resolves once the listener matches them. Returns the first (`none` for an empty list).
   */
  setFault(fault: unknown): Promise<FaultSpec>;
  /** Adds one fault on top of those in force. */
  addFault(fault: unknown): Promise<FaultSpec>;
  /** Clears every fault and counter; the draws start again from `seed` (default: the current seed). */
  reset(seed?: number): Promise<void>;
  /** The first fault in force (`none` when there is none); `times` is what remains of it. */
  fault(): FaultSpec;
  /** Every fault in force, in the order they are considered, with how often each was injected. */
  faults(): ActiveFault[];
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
  const stack = new FaultStack(options.seed ?? randomSeed());
  let requests = 0;
  let forwarded = 0;
  let connectionsTotal = 0;
  const bytes = { up: 0, down: 0 };
  let listener: Server | undefined;
  let port = options.port ?? 0;
  let closed = false;

  const connectionHost: ConnectionHost = {
    target,
    clock,
    decide(_method, path) {
      requests++;
      return stack.decide(path);
    },
    countForwarded() {
      forwarded++;
    },
    countBytes(direction, count) {
      bytes[direction] += count;
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
      connectionsTotal++;
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

  /** What a change of faults does to what is open now: stall holds, reset/refuse kill what was held, refuse stops listening. */
  async function applyToOpen(): Promise<void> {
    const specs = stack.specs();
    const unlimited = (kind: FaultSpec["kind"]) => specs.some((s) => s.kind === kind && isUnlimited(s));
    if (unlimited("stall")) {
      // An unlimited stall freezes connections already in use too; a limited one only its own requests.
      for (const connection of connections) connection.hold();
    } else {
      const held = [...connections].filter((connection) => connection.isHeld);
      // 'stall then reset' and 'stall then refuse' kill what was held; every other change lets it proceed.
      const kills = specs.some((s) => s.kind === "reset" || s.kind === "refuse");
      if (kills) for (const connection of held) connection.reset();
      else for (const connection of held) connection.release();
    }
    if (unlimited("refuse")) {
      const stopped = stopListening();
      // Keep-alive sockets would otherwise carry requests past a closed listener.
      destroyAll();
      await stopped;
    } else if (!listener) {
      await listen();
    }
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
      stack.replace(toFaultList(input));
      await applyToOpen();
      return stack.specs()[0] ?? NO_FAULT;
    },
    async addFault(input) {
      if (closed) throw new Error("the fault proxy is closed");
      const spec = toFaultSpec(input);
      stack.add(spec);
      await applyToOpen();
      return spec;
    },
    async reset(seed) {
      if (closed) throw new Error("the fault proxy is closed");
      stack.reset(seed);
      requests = 0;
      forwarded = 0;
      connectionsTotal = connections.size;
      bytes.up = 0;
      bytes.down = 0;
      await applyToOpen();
    },
    fault: () => stack.specs()[0] ?? NO_FAULT,
    faults: () => stack.faults,
    stats: () => ({
      connections: connections.size,
      connectionsTotal,
      requests,
      forwarded,
      bytes: { ...bytes },
      faulted: { ...stack.counters },
      seed: stack.seed,
    }),
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
