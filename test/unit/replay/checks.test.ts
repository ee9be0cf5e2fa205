import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../src/lib/clock.js";
import { compare, modeMatches } from "../../../src/replay/checks.js";
import { formatReport, formatStepLine, type StepRecord, showsStep, summarize } from "../../../src/replay/report.js";
import { durationSchema, profileSchema } from "../../../src/replay/scenario.js";

describe("compare", () => {
  it.each([
    ["all held", { mode: "online", total: 31.96 }, { mode: "online", total: 31.96, status: "stored" }, []],
    ["offline matches either kind", { mode: "offline" }, { mode: "offline-manual" }, []],
    ["mode differs", { mode: "online" }, { mode: "offline-auto" }, ["mode"]],
    ["float noise is not a difference", { total: 0.3 }, { total: 0.1 + 0.2 }, []],
    ["total differs", { total: 9.99 }, { total: 10.99 }, ["total"]],
    ["missing actual", { status: "stored" }, {}, ["status"]],
    ["unexpected error", {}, { error: "ChannelConfigurationNotFound", message: "…" }, ["error"]],
    ["expected error happened", { error: "InvalidCredentials" }, { error: "InvalidCredentials", message: "wrong" }, []],
    ["expected error did not happen", { error: "InvalidCredentials" }, { mode: "online" }, ["error"]],
    [
      "other error",
      { error: "InvalidCredentials" },
      { error: "UserBlockedDueToTooManyFailedLogonAttempts" },
      ["error"],
    ],
  ])("%s", (_name, expected, actual, failed) => {
    expect(compare(expected, actual).failed).toEqual(failed);
  });

  it("shows only the fields the step named, plus an unexpected error", () => {
    const result = compare({ mode: "online" }, { mode: "online", total: 5, error: "X", message: "went wrong" });
    expect(result.expected).toEqual({ mode: "online" });
    expect(result.actual).toEqual({ mode: "online", error: "X", message: "went wrong" });
  });

  it.each([
    ["offline", "offline-auto", true],
    ["offline", "online", false],
    ["offline-auto", "offline-manual", false],
    ["online", "online", true],
  ] as const)("mode %s vs %s", (want, got, ok) => {
    expect(modeMatches(want, got)).toBe(ok);
  });
});

describe("durations", () => {
  it.each([
    ["2m", 120_000],
    ["30s", 30_000],
    ["24h", 86_400_000],
    ["250ms", 250],
    ["1.5h", 5_400_000],
    [90, 90_000],
  ])("wait %j", (input, ms) => {
    expect(durationSchema.parse(input)).toBe(ms);
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(["forever", "-1m", "2 weeks", ""])("refuses %j", (input) => {
    expect(durationSchema.safeParse(input).success).toBe(false);
  });

  it("converts profile durations to seconds and minutes", () => {
    expect(
      profileSchema.parse({ timeoutInterval: "300ms", reconnectInterval: "30s", healthCheckInterval: "2h" }),
    ).toEqual({
      timeoutInterval: 0.3,
      reconnectInterval: 0.5,
      healthCheckInterval: 120,
    });
  });
});

describe("human report", () => {
  const record = (overrides: Partial<StepRecord>): StepRecord => ({
    step: 2,
    line: 13,
    kind: "sale",
    label: "sale (3 lines)",
    mode: "offline-auto",
    total: 26.45,
    elapsedMs: 305.4,
    result: "pass",
    expected: {},
    actual: {},
    message: null,
    switches: [],
    testCase: true,
    ...overrides,
  });

  it("prints one line per step with mode, total, time and result", () => {
    expect(formatStepLine(record({}))).toBe(
      "   2  sale (3 lines)                           offline-auto        26.45   305 ms  pass (line 13)",
    );
    expect(formatStepLine(record({ result: "fail", message: "mode: expected online, actual offline-auto" }))).toMatch(
      /FAIL \(line 13\) {2}mode: expected online, actual offline-auto$/,
    );
  });

  it("lists only failures of a journal, then the summary", () => {
    const steps = [record({ step: 1 }), record({ step: 2, result: "fail", message: "total: expected 1, actual 2" })];
    const report = {
      format: "pos-replay/1" as const,
      file: "j.ndjson",
      name: "j",
      source: "journal" as const,
      register: "SEA01-R1",
      server: "embedded",
      currency: "USD",
      startedAt: "2026-01-05T09:00:00.000Z",
      elapsedMs: 1500,
      steps,
      summary: summarize(steps),
    };
    const lines = formatReport(report).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("total: expected 1, actual 2");
    // The same rule decides what `pos replay` prints while it runs.
    expect(steps.map((s) => showsStep("journal", s))).toEqual([false, true]);
    expect(steps.map((s) => showsStep("scenario", s))).toEqual([true, true]);
    expect(lines[1]).toBe(
      "j.ndjson: 2 steps, 2 sales, 2 checks: 1 passed, 1 failed (1.50 s, embedded server, register SEA01-R1)",
    );
  });
});
