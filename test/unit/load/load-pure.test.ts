import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/lib/errors.js";
import { parseLoadOptions, parseRate } from "../../../src/load/options.js";
import { createLoadStats, percentile } from "../../../src/load/stats.js";
import { sequenceOf, verifyRun } from "../../../src/load/verify.js";

const sale = (n: number, total = 10) => ({
  id: `ST01-R01-${100000000 + n}`,
  register: "ST01-R01",
  staff: "001002",
  createdAt: `2026-01-05T09:00:0${n}.000Z`,
  total,
});

describe("verifyRun", () => {
  it("passes when the server holds exactly the acknowledged sales; sales in doubt may be held or not", () => {
    const v = verifyRun([sale(1), sale(2)], [sale(3), sale(4)], [sale(1), sale(2), sale(3)]);
    expect(v).toEqual({
      ok: true,
      acknowledged: 2,
      held: 3,
      lost: [],
      duplicated: [],
      extra: [],
      inDoubt: { held: 1, missing: 1 },
    });
  });

  it.each([
    ["lost", [sale(1), sale(2)], [sale(1)], { lost: [sale(2).id] }],
    [
      "duplicated under another id",
      [sale(1)],
      [sale(1), { ...sale(1), id: "ST01-R01-100050001" }],
      {
        duplicated: [{ id: "ST01-R01-100050001", of: sale(1).id }],
      },
    ],
    ["listed twice", [sale(1)], [sale(1), sale(1)], { duplicated: [{ id: sale(1).id, of: sale(1).id }] }],
    ["extra", [sale(1)], [sale(1), sale(5, 99)], { extra: [sale(5).id] }],
  ])("fails on a %s transaction", (_, acked, held, expected) => {
    const v = verifyRun(acked, [], held);
    expect(v.ok).toBe(false);
    expect(v).toMatchObject(expected);
  });

  it("reads the number of a transaction id", () => {
    expect(sequenceOf("ST01-R01-100000042")).toBe(100000042);
    expect(sequenceOf("nonsense")).toBe(-1);
  });
});

describe("load options", () => {
  it.each([
    ["5/s", 5],
    ["5", 5],
    ["120/min", 2],
    ["0.5/s", 0.5],
    ["fast", undefined],
    ["5/h", undefined],
  ])("parseRate(%j) = %s", (text, rate) => {
    expect(parseRate(text)).toBe(rate);
  });

  it("has defaults a CI job can rely on", () => {
    expect(parseLoadOptions({})).toEqual({
      registers: 10,
      stores: undefined,
      durationMs: 60_000,
      thinkMs: 250,
      signinRate: 0,
      journal: undefined,
      items: ["1001", "1002", "1003"],
      password: "1234",
      timeoutMs: 30_000,
      p99: undefined,
    });
  });

  it("reads every option", () => {
    expect(
      parseLoadOptions({
        registers: "200",
        store: ["ST01,ST02", "ST03"],
        duration: "2m",
        think: "100ms",
        signinRate: "5/s",
        p99: "20",
        items: "1001, 1005",
      }),
    ).toMatchObject({
      registers: 200,
      stores: ["ST01", "ST02", "ST03"],
      durationMs: 120_000,
      thinkMs: 100,
      signinRate: 5,
      p99: 20,
      items: ["1001", "1005"],
    });
    expect(parseLoadOptions({ p99: "30ms" }).p99).toBe(30);
  });

  it.each([
    [{ registers: "0" }, /--registers/],
    [{ registers: "ten" }, /--registers/],
    [{ duration: "0s" }, /--duration/],
    [{ think: "soon" }, /--think/],
    [{ signinRate: "many" }, /--signin-rate/],
    [{ p99: "-3" }, /--p99/],
    [{ items: " , " }, /--items/],
  ])("refuses %j naming the option", (options, message) => {
    expect(() => parseLoadOptions(options)).toThrow(UsageError);
    expect(() => parseLoadOptions(options)).toThrow(message);
  });
});

describe("load figures", () => {
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 99), percentile([], 99)]).toEqual([
      50, 95, 99, 0,
    ]);
  });

  it("counts per kind, errors by status, and histogram buckets", () => {
    const stats = createLoadStats();
    for (const ms of [0.5, 3, 3, 15, 7000]) stats.record("checkout", ms, null);
    stats.record("checkout", 30, "409");
    stats.record("lookup", 1, "ECONNRESET");
    const { kinds, errors } = stats.figures(2);
    expect(errors).toEqual({ "checkout 409": 1, "lookup ECONNRESET": 1 });
    const checkout = kinds.find((k) => k.kind === "checkout");
    expect(checkout).toMatchObject({ count: 6, errors: 1, perSecond: 3, p50: 3, max: 7000 });
    expect(checkout?.histogram).toEqual([1, 0, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(kinds.map((k) => k.kind)).toEqual(["lookup", "checkout"]);
  });
});
