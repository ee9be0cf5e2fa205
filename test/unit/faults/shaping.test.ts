// The WAN faults (latency with jitter, bandwidth, slicer, limit-data, slow-close, direction) on real loopback sockets, timed by a virtual clock.
import { connect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../../src/faults/fault-stack.js";
import { createFaultProxy, type FaultProxy } from "../../../src/faults/proxy.js";
import { VirtualClock } from "../../../src/lib/clock.js";
import { BYTES, delay, outcome, send, settled, startTarget, type Target, until } from "./harness.js";

let target: Target;
let proxy: FaultProxy;
let clock: CountingClock;

/** A virtual clock that knows how many sleeps are pending: the marker that the proxy is waiting on time. */
class CountingClock extends VirtualClock {
  sleeping = 0;
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeping++;
    return super.sleep(ms, signal).finally(() => {
      this.sleeping--;
    });
  }
}

/** Advances time in steps while the proxy sleeps, until `done`; returns the virtual ms it took. */
async function drive(step: number, done: () => boolean, onStep?: (elapsed: number) => void): Promise<number> {
  let elapsed = 0;
  for (;;) {
    await until(() => clock.sleeping > 0 || done(), 5000);
    if (done()) return elapsed;
    clock.advance(step);
    elapsed += step;
    // The woken sleep settles in a microtask; let it run before looking again.
    await until(() => clock.sleeping === 0 || done() || clock.sleeping > 0);
    onStep?.(elapsed);
  }
}

beforeEach(async () => {
  target = await startTarget();
  clock = new CountingClock();
  proxy = await createFaultProxy({ target: target.url, clock, seed: 42 });
});

afterEach(async () => {
  await proxy.close();
  await target.close();
});

/** A raw client: writes one request and records every byte and the close, so piece sizes and cuts show. */
interface Raw {
  socket: Socket;
  bytes(): number;
  data(): Buffer;
  ended: Promise<"end" | "error">;
}

function raw(path: string, extra = "", body = ""): Raw {
  const socket = connect(proxy.port, "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<"end" | "error">((resolve) => {
    socket.on("end", () => resolve("end"));
    socket.on("error", () => resolve("error"));
  });
  socket.write(`GET ${path} HTTP/1.1\r\nhost: target\r\n${extra}\r\n${body}`);
  return {
    socket,
    bytes: () => chunks.reduce((n, c) => n + c.length, 0),
    data: () => Buffer.concat(chunks),
    ended,
  };
}

/** The answer's head length for /bytes, so a test knows how many bytes precede the body. */
async function headLength(): Promise<number> {
  const probe = await createFaultProxy({ target: target.url });
  try {
    const socket = connect(probe.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.write("GET /bytes HTTP/1.1\r\nhost: target\r\nconnection: close\r\n\r\n");
    await new Promise((resolve) => socket.on("end", resolve));
    socket.destroy();
    return Buffer.concat(chunks).indexOf("\r\n\r\n") + 4;
  } finally {
    await probe.close();
  }
}

describe("latency with jitter", () => {
  it("delays each answer by ms ± jitter, the offset drawn from the seed", async () => {
    await proxy.setFault("latency 1000 jitter=400");
    const expected = 1000 + Math.round((seededRandom(42)() * 2 - 1) * 400);
    expect(Math.abs(expected - 1000)).toBeLessThanOrEqual(400);
    const reply = send(proxy.url, "/json");
    await until(() => clock.sleeping === 1);
    clock.advance(expected - 1);
    await delay(20);
    expect(await settled(reply)).toBe("pending");
    clock.advance(1);
    expect((await reply).status).toBe(200);
    expect(proxy.stats().faulted.latency).toBe(1);
  });

  it("direction=up holds the request back from the server instead", async () => {
    await proxy.setFault("latency 500 direction=up");
    const reply = send(proxy.url, "/json");
    await until(() => clock.sleeping === 1);
    expect(target.requests).toHaveLength(0);
    clock.advance(500);
    expect((await reply).status).toBe(200);
    expect(target.requests).toHaveLength(1);
  });
});

describe("slicer", () => {
  it("cuts the answer into pieces of the given size, pausing between them", async () => {
    await proxy.setFault("slicer 1 delay=10");
    const client = raw("/json", "connection: close\r\n");
    await until(() => clock.sleeping === 1 && client.bytes() > 0);
    await delay(20);
    expect(client.bytes()).toBe(1);
    let ended = false;
    void client.ended.then(() => {
      ended = true;
    });
    // One byte per 10 ms step, never more.
    const steps: number[] = [];
    const elapsed = await drive(
      10,
      () => ended,
      () => steps.push(client.bytes()),
    );
    expect(steps.every((bytes, i) => bytes <= i + 2)).toBe(true);
    // A pause follows every piece, the last one too.
    expect(elapsed).toBe(client.bytes() * 10);
    expect(await client.ended).toBe("end");
    const text = client.data().toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('{"path":"/json"}');
    expect(text.endsWith("0\r\n\r\n")).toBe(true);
    client.socket.destroy();
  });

  it("with no delay still delivers every byte intact", async () => {
    await proxy.setFault("slicer 7");
    const reply = await send(proxy.url, "/bytes");
    expect(reply.body.equals(BYTES)).toBe(true);
    expect(proxy.stats().faulted.slicer).toBe(1);
  });
});

describe("bandwidth", () => {
  it("lets no more through than the rate allows (64 KiB at 16 KB/s takes 4 s)", async () => {
    const head = await headLength();
    await proxy.setFault("bandwidth 16");
    const client = raw("/bytes", "connection: close\r\n");
    let ended = false;
    void client.ended.then(() => {
      ended = true;
    });
    // At every step no more has passed than 16 KB/s allows, give or take one piece (a twentieth of a second).
    const over: number[] = [];
    const elapsed = await drive(
      50,
      () => ended,
      (ms) => {
        const allowed = head + (16 * 1024 * ms) / 1000 + 820;
        if (client.bytes() > allowed) over.push(ms);
      },
    );
    expect(over).toEqual([]);
    expect(client.bytes()).toBe(head + BYTES.length);
    expect(elapsed).toBeGreaterThanOrEqual(3950);
    expect(elapsed).toBeLessThanOrEqual(4100);
    client.socket.destroy();
  });
});

describe("limit-data", () => {
  it("closes the connection after the given bytes of the answer: a truncated download", async () => {
    await proxy.setFault("limit-data 1000 times=1");
    const client = raw("/bytes");
    expect(await client.ended).toBe("end");
    expect(client.bytes()).toBe(1000);
    expect(target.requests).toHaveLength(1);
    client.socket.destroy();
    // Used up: the next download is whole.
    expect((await send(proxy.url, "/bytes")).body.equals(BYTES)).toBe(true);
    expect(proxy.stats()).toMatchObject({ faulted: { "limit-data": 1 } });
  });

  it("direction=up cuts the request body: the server never reads it whole", async () => {
    await proxy.setFault("limit-data 2KB direction=up");
    const result = await outcome(send(proxy.url, "/echo", { method: "POST", body: BYTES }));
    expect(["ECONNRESET", "EPIPE"]).toContain(result);
    await delay(50);
    expect(target.requests.filter((r) => r.path === "/echo")).toHaveLength(0);
    expect(proxy.stats().bytes.up).toBe(2048);
  });
});

describe("slow-close", () => {
  it("keeps the connection open for ms after the answer before closing it", async () => {
    await proxy.setFault("slow-close 5000");
    const client = raw("/json", "connection: close\r\n");
    await until(() => client.data().includes('{"path":"/json"}') && clock.sleeping === 1);
    expect(await settled(client.ended)).toBe("pending");
    clock.advance(5000);
    expect(await client.ended).toBe("end");
    client.socket.destroy();
  });
});

describe("probability and seed", () => {
  /** 200 requests against a reset fault drawn with probability 0.3; which ones failed. */
  async function run(seed: number): Promise<{ failed: number[]; counters: unknown }> {
    const seeded = await createFaultProxy({ target: target.url, seed });
    try {
      await seeded.setFault("reset probability=0.3");
      const failed: number[] = [];
      for (let i = 0; i < 200; i++) {
        if ((await outcome(send(seeded.url, "/json"))) !== "ok") failed.push(i);
      }
      return { failed, counters: seeded.stats().faulted };
    } finally {
      await seeded.close();
    }
  }

  it("faults about that share of requests, the same ones for the same seed", async () => {
    const [first, second, other] = [await run(7), await run(7), await run(8)];
    expect(first.failed.length).toBeGreaterThan(30);
    expect(first.failed.length).toBeLessThan(90);
    expect(second).toEqual(first);
    expect(first.counters).toMatchObject({ reset: first.failed.length });
    expect(other.failed).not.toEqual(first.failed);
  });

  it("reset() clears faults and counters and starts the draws again from the seed", async () => {
    const sequence = async () => {
      await proxy.setFault("http 503 probability=0.5");
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await send(proxy.url, "/json")).status);
      return statuses;
    };
    const first = await sequence();
    await proxy.reset();
    expect(proxy.stats()).toMatchObject({ requests: 0, faulted: { http: 0 }, bytes: { up: 0, down: 0 } });
    expect(proxy.faults()).toEqual([]);
    expect(await sequence()).toEqual(first);
    expect(first.filter((s) => s === 503).length).toBe(proxy.stats().faulted.http);
  });
});

describe("stacked faults", () => {
  it("applies a shaping fault and an answering one to the same request, each with its own times", async () => {
    await proxy.setFault(["latency 100", { fault: "http 503", times: 1, path: "/v1/transactions" }]);
    expect(proxy.faults().map((f) => f.spec.kind)).toEqual(["latency", "http"]);
    const first = send(proxy.url, "/v1/transactions");
    await until(() => clock.sleeping === 1);
    expect(await settled(first)).toBe("pending");
    clock.advance(100);
    expect((await first).status).toBe(503);
    const second = send(proxy.url, "/v1/transactions");
    await until(() => clock.sleeping === 1);
    clock.advance(100);
    expect((await second).status).toBe(200);
    expect(proxy.faults().map((f) => [f.spec.kind, f.injected])).toEqual([["latency", 2]]);
    expect(proxy.stats().faulted).toMatchObject({ latency: 2, http: 1 });
  });

  it("addFault stacks on what is in force; the first answering fault that fires wins", async () => {
    await proxy.setFault("http 502 times=1");
    await proxy.addFault("http 504");
    expect((await send(proxy.url, "/json")).status).toBe(502);
    expect((await send(proxy.url, "/json")).status).toBe(504);
    expect(proxy.stats().faulted.http).toBe(2);
    await proxy.setFault("none");
    expect(proxy.faults()).toEqual([]);
  });
});
