import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addFault,
  type ControlServer,
  fetchProxyStatus,
  resetProxy,
  sendFault,
  startControlServer,
} from "../../../src/faults/control.js";
import type { FaultSpec } from "../../../src/faults/fault-spec.js";
import { createFaultProxy, type FaultProxy } from "../../../src/faults/proxy.js";
import { parseHostPort } from "../../../src/faults/service.js";
import { UnreachableError, UsageError } from "../../../src/lib/errors.js";
import { send, startTarget, type Target } from "./harness.js";

let target: Target;
let proxy: FaultProxy;
let control: ControlServer;
let changes: string[];

beforeEach(async () => {
  changes = [];
  target = await startTarget();
  proxy = await createFaultProxy({ target: target.url });
  control = await startControlServer(proxy, { onChange: (fault) => changes.push(fault) });
});

afterEach(async () => {
  await control.close();
  await proxy.close();
  await target.close();
});

describe("control endpoint", () => {
  it("GET /fault reports the fault, addresses and counters", async () => {
    await send(proxy.url, "/json");
    const status = await fetchProxyStatus(control.url);
    expect(status).toMatchObject({ url: proxy.url, target: target.url, fault: { kind: "none" }, text: "none" });
    expect(status.stats).toMatchObject({ requests: 1, forwarded: 1 });
  });

  it("PUT /fault changes the fault the proxy applies", async () => {
    const status = await sendFault(control.url, { kind: "http", status: 503, times: 1 });
    expect(status.text).toBe("http 503 times=1");
    expect(changes).toEqual(["http 503 times=1"]);
    expect((await send(proxy.url, "/json")).status).toBe(503);
    expect((await send(proxy.url, "/json")).status).toBe(200);
  });

  it.each([
    ["PUT", '"latency 20"', "latency 20"],
    ["POST", "reset times=1", "reset times=1"],
    ["PUT", '{"fault":"http 502","path":"/v1"}', "http 502 path=/v1"],
  ])("%s /fault with %s", async (method, body, text) => {
    const reply = await send(control.url, "/fault", { method, body });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ text });
  });

  it.each([
    ["PUT", "/fault", '{"kind":"teapot"}', 400, "BadFault"],
    ["PUT", "/fault", "x".repeat(20_000), 400, "BadFault"],
    ["DELETE", "/fault", undefined, 405, "MethodNotAllowed"],
    ["GET", "/other", undefined, 404, "NotFound"],
  ])("%s %s answers %#", async (method, path, body, status, code) => {
    const reply = await send(control.url, path, { method, ...(body !== undefined && { body }) });
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: { code } });
    expect(proxy.fault()).toEqual({ kind: "none" });
  });

  it("PUT /fault with a list stacks them; POST /fault/add adds one; POST /reset clears faults and counters", async () => {
    const stacked = await sendFault(control.url, [
      { kind: "latency", ms: 1 },
      { kind: "http", status: 503, times: 1 },
    ]);
    expect(stacked.text).toBe("latency 1 + http 503 times=1");
    const added = await addFault(control.url, { kind: "reset", probability: 0.5 });
    expect(added.faults.map((f) => f.text)).toEqual(["latency 1", "http 503 times=1", "reset probability=0.5"]);
    expect((await send(proxy.url, "/json")).status).toBe(503);
    const status = await fetchProxyStatus(control.url);
    expect(status.faults.map((f) => f.injected)).toEqual([1, 0]);
    expect(status.stats).toMatchObject({ requests: 1, faulted: { latency: 1, http: 1 } });
    expect(status.stats.bytes.down).toBeGreaterThan(0);
    const cleared = await resetProxy(control.url, 9);
    expect(cleared).toMatchObject({ text: "none", faults: [], seed: 9 });
    expect(cleared.stats).toMatchObject({ requests: 0, faulted: { latency: 0, http: 0 }, bytes: { up: 0, down: 0 } });
  });

  it.each([
    ["POST", "/reset", '{"seed":-1}', 400, "BadSeed"],
    ["GET", "/reset", undefined, 405, "MethodNotAllowed"],
    ["POST", "/fault/add", "bogus", 400, "BadFault"],
  ])("%s %s answers %#", async (method, path, body, status, code) => {
    const reply = await send(control.url, path, { method, ...(body !== undefined && { body }) });
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ error: { code } });
  });

  it("a bad fault comes back to the client as a UsageError", async () => {
    await expect(sendFault(control.url, { kind: "http", status: 999 } as FaultSpec)).rejects.toThrow(UsageError);
  });

  it("an unreachable control endpoint is an UnreachableError", async () => {
    const url = control.url;
    await control.close();
    await expect(fetchProxyStatus(url, 1000)).rejects.toThrow(UnreachableError);
    control = { url, close: async () => {} };
  });
});

describe("parseHostPort", () => {
  it.each([
    ["127.0.0.1:7200", { host: "127.0.0.1", port: 7200 }],
    [":7200", { host: "127.0.0.1", port: 7200 }],
    ["7200", { host: "127.0.0.1", port: 7200 }],
    ["localhost:0", { host: "localhost", port: 0 }],
    ["[::1]:7200", { host: "::1", port: 7200 }],
  ])("%s", (text, expected) => {
    expect(parseHostPort(text, "--listen")).toEqual(expected);
  });

  it.each(["", "host:", "127.0.0.1:99999", "a b:1", "127.0.0.1:port"])("%j is a UsageError", (text) => {
    expect(() => parseHostPort(text, "--listen")).toThrow(/--listen .* is not host:port/);
  });
});
