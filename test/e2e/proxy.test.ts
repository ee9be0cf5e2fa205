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

  it("the same seed gives the same fault sequence twice: equal counters after equal runs", async () => {
    const run = async (seed: string) => {
      const reset = await runPos(["--json", "proxy", "reset", "--seed", seed], { home: home.home });
      expect(reset.code, reset.stderr).toBe(0);
      const set = await runPos(
        ["proxy", "set", "reset", "probability=0.2", "+", "http", "503", "probability=0.3", "+", "slicer", "16"],
        { home: home.home },
      );
      expect(set.code, set.stderr).toBe(0);
      const outcomes: string[] = [];
      for (let i = 0; i < 120; i++) {
        try {
          outcomes.push(String((await send(addresses.url, "/v1/health")).status));
        } catch (error) {
          outcomes.push((error as { code?: string }).code ?? "error");
        }
      }
      const status = await runPos(["proxy", "status", "--json"], { home: home.home });
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout) as { seed: number; stats: Record<string, unknown> };
      expect(parsed.seed).toBe(Number(seed));
      const { connections: _open, ...stats } = parsed.stats;
      return { outcomes, stats };
    };
    const first = await run("42");
    const second = await run("42");
    const other = await run("43");
    expect(second.stats).toEqual(first.stats);
    expect(second.outcomes).toEqual(first.outcomes);
    expect(other.stats).not.toEqual(first.stats);
    const faulted = first.stats.faulted as Record<string, number>;
    expect(faulted.reset).toBe(first.outcomes.filter((o) => o === "ECONNRESET").length);
    expect(faulted.http).toBe(first.outcomes.filter((o) => o === "503").length);
    expect(faulted.slicer).toBe(120);
    expect(first.stats).toMatchObject({ requests: 120 });
  });

  it("add stacks a fault; status lists each with its counter; reset clears all", async () => {
    expect((await runPos(["proxy", "reset"], { home: home.home })).code).toBe(0);
    expect((await runPos(["proxy", "set", "latency", "1", "--jitter", "1"], { home: home.home })).code).toBe(0);
    const added = await runPos(["proxy", "add", "http", "502", "--times", "1", "--path", "/v1/transactions"], {
      home: home.home,
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/fault: latency 1 jitter=1 \+ http 502 times=1 path=\/v1\/transactions/);
    expect((await send(addresses.url, "/v1/transactions")).status).toBe(502);
    const status = await runPos(["proxy", "status"], { home: home.home });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/faults {7}latency 1 jitter=1 {2}\(injected 1\)/);
    expect(status.stdout).toMatch(/bytes {8}up \d+, down \d+/);
    expect(status.stdout).toMatch(/faulted latency 1, http 1/);
    const reset = await runPos(["proxy", "reset"], { home: home.home });
    expect(reset.stdout).toMatch(/fault: none, counters cleared \(seed \d+\)/);
    const after = JSON.parse((await runPos(["proxy", "status", "--json"], { home: home.home })).stdout);
    expect(after).toMatchObject({ faults: [], stats: { requests: 0, faulted: { latency: 0, http: 0 } } });
  });

  it.each([
    [["proxy", "set", "teleport"], 2, /unknown fault "teleport"/],
    [["proxy", "set", "reset", "--probability", "2"], 2, /probability must be 0..1/],
    [["proxy", "set", "http", "503", "--jitter", "5"], 2, /jitter does not apply to this fault/],
    [["proxy", "reset", "--seed", "x"], 2, /--seed must be a whole number/],
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
