import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/server/app.js";
import { listAsyncCustomers, receiveAsyncCustomers, syncAsyncCustomers } from "../../../src/server/async-customers.js";
import {
  DEFAULT_INTERVALS,
  dueJobs,
  formatInterval,
  mergeSettings,
  parseScheduleList,
  parseTryCount,
  type ScheduleState,
} from "../../../src/server/schedules/rules.js";
import { createScheduler, type DistributionScheduler } from "../../../src/server/schedules/scheduler.js";
import { readTryCount } from "../../../src/server/schedules/settings.js";
import { setPrice } from "./cdx-helpers.js";
import { ADMIN, auth, createHarness, type Harness } from "./harness.js";

const MIN = 60_000;

describe("schedule rules", () => {
  it.each<[string, unknown]>([
    ["1040=5m", [{ job: "1040", intervalMs: 5 * MIN, paused: false }]],
    [
      "1040=5m, 1010=15m,9999=off",
      [
        { job: "1040", intervalMs: 5 * MIN, paused: false },
        { job: "1010", intervalMs: 15 * MIN, paused: false },
        { job: "9999", paused: true },
      ],
    ],
    ["p-0001=30s", [{ job: "P-0001", intervalMs: 30_000, paused: false }]],
  ])("parses %s", (text, changes) => {
    expect(parseScheduleList(text)).toEqual(changes);
  });

  it.each([
    ["1040", '"1040": expected <job>=<interval>, e.g. 1040=5m'],
    ["1234=5m", 'unknown job "1234"'],
    ["1040=5x", "1040: expected an interval such as 5m, 15m or 24h, or off"],
    ["1040=1s", "1040: interval 1s is shorter than 10s"],
    ["1040=5m,1040=10m", "1040 is given twice"],
    ["", "expected <job>=<interval>[,…]"],
  ])("refuses %j", (text, message) => {
    expect(() => parseScheduleList(text)).toThrow(message);
  });

  it("starts from the D365-like defaults, then what was saved, then the changes", () => {
    const merged = mergeSettings([{ job: "1010", intervalMs: 2 * MIN, paused: true }], parseScheduleList("1040=1m"));
    expect(merged.find((s) => s.job === "1010")).toEqual({ job: "1010", intervalMs: 2 * MIN, paused: true });
    expect(merged.find((s) => s.job === "1040")).toEqual({ job: "1040", intervalMs: MIN, paused: false });
    expect(merged.find((s) => s.job === "9999")).toEqual({ job: "9999", intervalMs: 24 * 60 * MIN, paused: false });
    expect(DEFAULT_INTERVALS["1040"]).toBe(5 * MIN);
  });

  it("says which jobs are due, in job order, and skips paused ones", () => {
    const state = (job: ScheduleState["job"], nextRunAt: number | null): ScheduleState => ({
      job,
      intervalMs: MIN,
      paused: nextRunAt === null,
      lastRunAt: null,
      lastResult: null,
      nextRunAt,
    });
    expect(dueJobs([state("1010", 100), state("1040", 50), state("1060", 101), state("9999", null)], 100)).toEqual([
      "1010",
      "1040",
    ]);
  });

  it.each([
    [5 * MIN, "5m"],
    [24 * 60 * MIN, "24h"],
    [90_000, "90s"],
    [1500, "1500ms"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatInterval(ms)).toBe(text);
  });

  it.each([
    ["5", 5],
    [1, 1],
  ])("takes try count %j", (value, n) => {
    expect(parseTryCount(value)).toBe(n);
  });

  it.each([["0"], [101], ["x"], [2.5]])("refuses try count %j", (value) => {
    expect(() => parseTryCount(value)).toThrow("try count: expected a whole number from 1 to 100");
  });
});

describe("the scheduler on a virtual clock", () => {
  let h: Harness;
  let scheduler: DistributionScheduler | undefined;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await h.close();
  });

  const start = async (
    changes = parseScheduleList("ASYNC-CUSTOMERS=off,1010=off,1060=off,1070=off,1090=off,9999=off,P-0001=off"),
  ) => {
    const runs: string[] = [];
    const made = await createScheduler({
      hq: h.opened.data.hq,
      clock: h.clock,
      run: (body) => h.opened.data.cdx.run(body),
      syncCustomers: async () =>
        (await syncAsyncCustomers(h.opened.data.hq, new Date(h.clock.now()).toISOString())).created.length,
      changes,
      onRun: (r) => runs.push(`${r.job} ${r.result}`),
    });
    scheduler = made;
    made.start();
    return { scheduler: made, runs };
  };
  const sessions = (job: string) =>
    h.hqDb.prepare("SELECT COUNT(*) AS n FROM download_sessions WHERE job = ?").get(job) as { n: number };

  it("runs 1040 every 5 minutes of virtual time, through the CDX run, and a price change reaches the channel database", async () => {
    const { scheduler, runs } = await start();
    const before = sessions("1040").n;
    await setPrice(h, "1001", "SEA01", "20.00");
    h.clock.advance(5 * MIN - 1);
    await scheduler.settled();
    expect(runs).toEqual([]);
    h.clock.advance(1);
    await scheduler.settled();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^1040 ok: \d+ session\(s\)$/);
    expect(sessions("1040").n).toBeGreaterThan(before);
    const channel = h.opened.data.channels.get("SEA01");
    expect(
      channel?.prepare("SELECT amount FROM prices WHERE store_id = 'SEA01' AND product_id = '1001'").get(),
    ).toEqual({ amount: 2000 });
    const listed = scheduler.list().schedules.find((s) => s.job === "1040");
    expect(listed).toMatchObject({
      interval: "5m",
      paused: false,
      lastRunAt: "2026-01-01T09:05:00.000Z",
      nextRunAt: "2026-01-01T09:10:00.000Z",
    });
    // A jump over several intervals runs once, not once per interval missed.
    h.clock.advance(20 * MIN);
    await scheduler.settled();
    expect(runs).toHaveLength(2);
  });

  it("runs HQ's async customer job every 15 minutes by default, before the 1010 run due with it", async () => {
    expect(DEFAULT_INTERVALS["ASYNC-CUSTOMERS"]).toBe(15 * MIN);
    const { scheduler, runs } = await start(
      parseScheduleList("1040=off,1060=off,1070=off,1090=off,9999=off,P-0001=off"),
    );
    await receiveAsyncCustomers(
      h.opened.data.hq,
      { register: "SEA01-R1", store: "SEA01" },
      [{ tempId: "TMP-SEA01-R1-0001", name: "Ada Park", email: null, phone: null, createdAt: "2026-01-01T08:00:00Z" }],
      "2026-01-01T08:30:00Z",
    );
    h.clock.advance(15 * MIN - 1);
    await scheduler.settled();
    expect(runs).toEqual([]);
    h.clock.advance(1);
    await scheduler.settled();
    expect(runs[0]).toBe("ASYNC-CUSTOMERS ok: 1 customer(s) created");
    expect(runs[1]).toMatch(/^1010 ok: \d+ session\(s\)$/);
    const created = (await listAsyncCustomers(h.opened.data.hq))[0];
    expect(created).toMatchObject({ tempId: "TMP-SEA01-R1-0001", status: "Created" });
    const channel = h.opened.data.channels.get("SEA01");
    expect(channel?.prepare("SELECT name FROM customers WHERE id = ?").get(created?.customerId)).toEqual({
      name: "Ada Park",
    });
    expect(scheduler.list().schedules[0]).toMatchObject({
      job: "ASYNC-CUSTOMERS",
      name: "Synchronize customers from async mode",
      lastResult: "ok: 1 customer(s) created",
      nextRunAt: "2026-01-01T09:30:00.000Z",
    });
    h.clock.advance(15 * MIN);
    await scheduler.settled();
    expect(runs[2]).toBe("ASYNC-CUSTOMERS ok: 0 customer(s) created");
  });

  it("pause stops a job, resume and set plan it again at once (the sleeping loop wakes)", async () => {
    const { scheduler, runs } = await start();
    expect(await scheduler.change({ job: "1040", paused: true })).toMatchObject({ paused: true, nextRunAt: null });
    h.clock.advance(10 * MIN);
    await scheduler.settled();
    expect(runs).toEqual([]);
    expect(await scheduler.change({ job: "1040", intervalMs: MIN, paused: false })).toMatchObject({
      interval: "1m",
      nextRunAt: "2026-01-01T09:11:00.000Z",
    });
    h.clock.advance(MIN);
    await scheduler.settled();
    expect(runs).toHaveLength(1);
  });

  it("keeps the schedules and the try count at HQ across a restart", async () => {
    const first = await createScheduler({
      hq: h.opened.data.hq,
      clock: h.clock,
      run: (body) => h.opened.data.cdx.run(body),
      changes: parseScheduleList("1040=7m,9999=off"),
      tryCount: 5,
    });
    await first.stop();
    const again = await createScheduler({
      hq: h.opened.data.hq,
      clock: h.clock,
      run: (body) => h.opened.data.cdx.run(body),
    });
    expect(again.list().tryCount).toBe(5);
    expect(await readTryCount(h.opened.data.hq)).toBe(5);
    expect(again.list().schedules.filter((s) => s.job === "1040" || s.job === "9999")).toMatchObject([
      { job: "1040", interval: "7m", paused: false },
      { job: "9999", paused: true, nextRunAt: null },
    ]);
  });

  it("answers the schedule routes: list, change, try count; a bad interval or job is a 400", async () => {
    const { scheduler } = await start();
    const app = buildApp({
      data: h.opened.data,
      clock: h.clock,
      adminToken: ADMIN,
      version: "test",
      schedules: scheduler,
      closeData: false,
    });
    try {
      const call = async (method: "GET" | "PUT", url: string, payload?: Record<string, unknown>) => {
        const r = await app.inject({ method, url, headers: auth(ADMIN), ...(payload ? { payload } : {}) });
        return { status: r.statusCode, body: r.json() };
      };
      const list = await call("GET", "/v1/admin/cdx/schedules");
      expect(list.status).toBe(200);
      expect(list.body.tryCount).toBe(3);
      expect(list.body.schedules.map((s: { job: string }) => s.job)).toEqual([
        "ASYNC-CUSTOMERS",
        "1010",
        "1040",
        "1060",
        "1070",
        "1090",
        "9999",
        "P-0001",
      ]);
      expect(await call("PUT", "/v1/admin/cdx/schedules/1060", { interval: "2m" })).toMatchObject({
        status: 200,
        body: { schedule: { job: "1060", interval: "2m", paused: false } },
      });
      expect(await call("PUT", "/v1/admin/cdx/schedules/1060", { interval: "2x" })).toMatchObject({
        status: 400,
        body: {
          error: { code: "ValidationFailed", message: "1060: expected an interval such as 5m, 15m or 24h, or off" },
        },
      });
      expect((await call("PUT", "/v1/admin/cdx/schedules/7777", { paused: true })).status).toBe(400);
      expect((await call("PUT", "/v1/admin/cdx/schedules/1040", {})).status).toBe(400);
      expect(await call("PUT", "/v1/admin/cdx/try-count", { tryCount: 4 })).toMatchObject({
        status: 200,
        body: { tryCount: 4 },
      });
      expect((await call("PUT", "/v1/admin/cdx/try-count", { tryCount: 0 })).status).toBe(400);
      const anonymous = await app.inject({ method: "GET", url: "/v1/admin/cdx/schedules" });
      expect(anonymous.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
