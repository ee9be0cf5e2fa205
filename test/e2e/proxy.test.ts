import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, type RunResult, runPos, tempHome } from "../helpers/cli.js";
import { startProxy } from "../helpers/proxy.js";
import { outcome, send, startTarget, type Target } from "../unit/faults/harness.js";

describe("pos proxy", () => {
  let target: Target;
  let home: { home: string; remove: () => void };
  let child: ChildProcess | undefined;
  let addresses: { url: string; control: string };
  let exited: Promise<RunResult>;

  beforeAll(async () => {
    home = tempHome();
    target = await startTarget();
    const started = startProxy(home.home, target.url);
    child = started.child;
    addresses = await started.ready;
    exited = collect(child, { timeoutMs: 60_000 });
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await target?.close();
    home?.remove();
  });

  it("writes the control URL to <home>/proxy.json and forwards requests", async () => {
    const file = JSON.parse(readFileSync(join(home.home, "proxy.json"), "utf8")) as { control: string; url: string };
    expect(file).toMatchObject(addresses);
    expect((await send(addresses.url, "/v1/health")).status).toBe(200);
  });

  it("set refuse makes connections fail; set none heals", async () => {
    const refused = await runPos(["proxy", "set", "refuse"], { home: home.home });
    expect(refused).toMatchObject({ code: 0, stderr: "" });
    expect(refused.stdout).toMatch(/fault: refuse/);
    expect(await outcome(send(addresses.url, "/v1/health"))).toBe("ECONNREFUSED");

    const healed = await runPos(["proxy", "set", "none"], { home: home.home });
    expect(healed.code).toBe(0);
    expect((await send(addresses.url, "/v1/health")).status).toBe(200);
  });

  it("set http 503 --times 1 --json answers one request with 503", async () => {
    const set = await runPos(["--json", "proxy", "set", "http", "503", "--times", "1"], { home: home.home });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ fault: { kind: "http", status: 503, times: 1 } });
    expect((await send(addresses.url, "/v1/transactions")).status).toBe(503);
    expect((await send(addresses.url, "/v1/transactions")).status).toBe(200);

    const status = await runPos(["proxy", "status", "--json"], { home: home.home });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ text: "none", stats: { faulted: { http: 1 } } });
  });

  it.each([
    [["proxy", "set", "teleport"], 2, /unknown fault "teleport"/],
    [["proxy", "set", "http", "503", "--times", "0"], 2, /--times/],
    [["proxy", "set", "none", "--control", "http://127.0.0.1:1"], 3, /did not answer/],
  ])("%j exits %i with one line", async (args, code, message) => {
    const result = await runPos(args, { home: home.home });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it("stops cleanly on SIGINT (exit 0) and removes proxy.json", async () => {
    child?.kill("SIGINT");
    const result = await exited;
    expect(result.code).toBe(0);
    expect(existsSync(join(home.home, "proxy.json"))).toBe(false);
    const after = await runPos(["proxy", "status"], { home: home.home });
    expect(after.code).toBe(3);
  });
});
