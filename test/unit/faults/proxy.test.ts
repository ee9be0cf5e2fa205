import { once } from "node:events";
import { Agent } from "node:http";
import type { Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy } from "../../../src/faults/proxy.js";
import { VirtualClock } from "../../../src/lib/clock.js";
import { UsageError } from "../../../src/lib/errors.js";
import { BYTES, delay, outcome, send, settled, startTarget, type Target, until } from "./harness.js";

const CLIENT_ERRORS = ["ECONNRESET", "EPIPE"];

let target: Target;
let proxy: FaultProxy;
let agent: Agent;

beforeEach(async () => {
  target = await startTarget();
  proxy = await createFaultProxy({ target: target.url });
  // One socket, so every request of a test rides the same keep-alive connection when it can.
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});

afterEach(async () => {
  agent.destroy();
  await proxy.close();
  await target.close();
});

const get = (path: string, timeoutMs?: number) =>
  send(proxy.url, path, { agent, ...(timeoutMs !== undefined && { timeoutMs }) });

describe("none", () => {
  it("passes bytes unchanged, both ways, over one keep-alive connection", async () => {
    const body = Buffer.concat([BYTES, BYTES]);
    const [bytes, chunked, echo, chunkedEcho] = [
      await get("/bytes"),
      await get("/chunked"),
      await send(proxy.url, "/echo", { agent, method: "POST", body }),
      await send(proxy.url, "/echo", { agent, method: "POST", body, chunked: true }),
    ];
    expect(bytes.body.equals(BYTES)).toBe(true);
    expect(chunked.headers["transfer-encoding"]).toBe("chunked");
    expect(chunked.body.equals(BYTES)).toBe(true);
    expect(echo.body.equals(body)).toBe(true);
    expect(chunkedEcho.body.equals(body)).toBe(true);
    expect(target.connections).toBe(1);
    expect(proxy.stats()).toMatchObject({ requests: 4, forwarded: 4, connections: 1 });
  });

  it("frames answers without a body (HEAD, 204)", async () => {
    const head = await send(proxy.url, "/bytes", { agent, method: "HEAD" });
    const empty = await get("/empty");
    const after = await get("/json");
    expect([head.status, head.body.length, empty.status, after.status]).toEqual([200, 0, 204, 200]);
    expect(target.connections).toBe(1);
  });

  it("passes the server's 100 Continue through before the body", async () => {
    const reply = await send(proxy.url, "/echo", { method: "POST", body: "after continue", expectContinue: true });
    expect(reply.body.toString()).toBe("after continue");
  });

  it("resets the client when the server is gone", async () => {
    await target.close();
    expect(CLIENT_ERRORS).toContain(await outcome(get("/json")));
  });
});

describe("refuse", () => {
  it("closes the listener and open keep-alive sockets; heals on the same port", async () => {
    const freed = new Promise<Socket>((resolve) => agent.once("free", resolve));
    await get("/json");
    const first = await freed;
    const port = proxy.port;
    const closed = once(first, "close");
    await proxy.setFault("refuse");
    await closed;
    expect(await outcome(get("/json"))).toBe("ECONNREFUSED");
    await proxy.setFault("none");
    expect((await get("/json")).status).toBe(200);
    expect(proxy.port).toBe(port);
  });

  it("limited to a path, resets that request's connection and lets the others through", async () => {
    await proxy.setFault({ kind: "refuse", path: "/v1/transactions" });
    expect(await outcome(get("/v1/transactions"))).toBe("ECONNRESET");
    expect((await get("/v1/health")).status).toBe(200);
    expect(target.requests.map((r) => r.path)).toEqual(["/v1/health"]);
  });
});

describe("blackhole", () => {
  it("reads the request and never answers, so the client times out", async () => {
    await proxy.setFault("blackhole");
    expect(await outcome(get("/json", 300))).toBe("TIMEOUT");
    expect(target.requests).toHaveLength(0);
    expect(proxy.stats().faulted.blackhole).toBe(1);
  });
});

describe("latency", () => {
  it("delays the answer by at least the given ms", async () => {
    await proxy.setFault("latency 200");
    const started = performance.now();
    const reply = await get("/bytes");
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(reply.body.equals(BYTES)).toBe(true);
  });

  it("waits on the injected clock", async () => {
    const clock = new VirtualClock();
    const virtual = await createFaultProxy({ target: target.url, clock });
    try {
      await virtual.setFault({ kind: "latency", ms: 60_000 });
      const reply = send(virtual.url, "/json");
      await until(() => target.requests.length === 1);
      await delay(50);
      expect(await settled(reply)).toBe("pending");
      clock.advance(60_000);
      expect((await reply).status).toBe(200);
    } finally {
      await virtual.close();
    }
  });
});

describe("http", () => {
  it("answers the status itself without contacting the server, keeping the connection usable", async () => {
    await proxy.setFault("http 503");
    const reply = await send(proxy.url, "/v1/transactions", { agent, method: "POST", body: '{"id":"T1"}' });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: { code: "InjectedFault" } });
    expect(target.requests).toHaveLength(0);
    await proxy.setFault("none");
    expect((await get("/json")).status).toBe(200);
    expect(proxy.stats().connections).toBe(1);
  });
});

describe("http with Expect: 100-continue", () => {
  it("answers at once instead of leaving the client waiting for 100 Continue", async () => {
    await proxy.setFault("http 504");
    const reply = await send(proxy.url, "/echo", { method: "POST", body: "never sent", expectContinue: true });
    expect(reply.status).toBe(504);
    expect(target.requests).toHaveLength(0);
  });
});

describe("reset", () => {
  it.each(["/bytes", "/chunked", "/empty"])("forwards %s and drops the client mid-answer", async (path) => {
    await proxy.setFault("reset");
    expect(CLIENT_ERRORS).toContain(await outcome(get(path)));
    expect(target.requests).toHaveLength(1);
  });
});

describe("garbage", () => {
  it("answers 200 JSON that does not parse", async () => {
    await proxy.setFault("garbage");
    const reply = await get("/json");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    expect(() => JSON.parse(reply.body.toString())).toThrow(SyntaxError);
    expect(target.requests).toHaveLength(0);
  });
});

describe("lost-ack", () => {
  it("lets the server commit and never delivers its answer", async () => {
    await proxy.setFault("lost-ack");
    const reply = send(proxy.url, "/echo", { agent, method: "POST", body: '{"id":"T1"}' });
    expect(CLIENT_ERRORS).toContain(await outcome(reply));
    expect(target.requests.map((r) => r.body.toString())).toEqual(['{"id":"T1"}']);
    expect(proxy.stats()).toMatchObject({ forwarded: 1, faulted: { "lost-ack": 1 } });
  });
});

describe("limits", () => {
  it("times: N affects the next N requests, then heals", async () => {
    await proxy.setFault("http 503 times=2");
    expect((await get("/a")).status).toBe(503);
    expect(proxy.fault()).toEqual({ kind: "http", status: 503, times: 1 });
    expect((await get("/b")).status).toBe(503);
    expect(proxy.fault()).toEqual({ kind: "none" });
    expect((await get("/c")).status).toBe(200);
    expect(target.requests.map((r) => r.path)).toEqual(["/c"]);
  });

  it.each([
    ["/v1/transactions", 503],
    ["/v1/transactions/upload", 503],
    ["/v1/transactionsX", 200],
    ["/v1/health", 200],
  ])("path /v1/transactions: %s answers %i", async (path, status) => {
    await proxy.setFault({ fault: "http 503", path: "/v1/transactions" });
    expect((await get(path)).status).toBe(status);
  });

  it("times counts matching requests only", async () => {
    await proxy.setFault("http 502 times=1 path=/v1/transactions");
    expect((await get("/v1/health")).status).toBe(200);
    expect((await get("/v1/transactions")).status).toBe(502);
    expect((await get("/v1/transactions")).status).toBe(200);
  });
});

describe("stall", () => {
  it("then heal: the held request goes through", async () => {
    await proxy.setFault("stall");
    const reply = get("/json");
    await delay(150);
    expect(await settled(reply)).toBe("pending");
    expect(target.requests).toHaveLength(0);
    await proxy.setFault("none");
    expect((await reply).status).toBe(200);
    expect(target.requests).toHaveLength(1);
  });

  it("holds a connection already in use, answer included", async () => {
    const reply = get("/slow?ms=50");
    await until(() => target.requests.length === 1);
    await proxy.setFault("stall");
    await delay(200);
    expect(await settled(reply)).toBe("pending");
    await proxy.setFault("none");
    expect(JSON.parse((await reply).body.toString())).toEqual({ slow: true });
  });

  it("then reset: the held request fails and never reaches the server", async () => {
    await proxy.setFault("stall");
    const reply = get("/json");
    await delay(100);
    await proxy.setFault("reset");
    expect(CLIENT_ERRORS).toContain(await outcome(reply));
    expect(target.requests).toHaveLength(0);
    await proxy.setFault("none");
    expect((await get("/json")).status).toBe(200);
  });
});

describe("setFault", () => {
  it.each(["bogus", "http", { kind: "latency" }])("rejects %j with a UsageError", async (input) => {
    await expect(proxy.setFault(input)).rejects.toThrow(UsageError);
    expect(proxy.fault()).toEqual({ kind: "none" });
  });

  it("refuses a target that is not http", async () => {
    await expect(createFaultProxy({ target: "https://127.0.0.1:1" })).rejects.toThrow(UsageError);
  });
});
