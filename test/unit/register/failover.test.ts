import { describe, expect, it } from "vitest";
import {
  classifyOutcome,
  describeOutcome,
  manualOfflineAllowed,
  probeHealthy,
  type ReconnectState,
  type RequestOutcome,
  reconnectDue,
  recordAnswerTime,
} from "../../../src/register/failover.js";

describe("classifyOutcome", () => {
  it.each<[RequestOutcome, string]>([
    [{ kind: "response", status: 200 }, "ok"],
    [{ kind: "response", status: 201 }, "ok"],
    [{ kind: "response", status: 502 }, "failover"],
    [{ kind: "response", status: 503 }, "failover"],
    [{ kind: "response", status: 504 }, "failover"],
    [{ kind: "response", status: 404 }, "business"],
    [{ kind: "response", status: 409 }, "business"],
    [{ kind: "response", status: 422 }, "business"],
    [{ kind: "response", status: 500 }, "business"],
    [{ kind: "network", code: "ECONNREFUSED" }, "failover"],
    [{ kind: "network", code: "ECONNRESET" }, "failover"],
    [{ kind: "network", code: "ENOTFOUND" }, "failover"],
    [{ kind: "timeout", afterMs: 5000 }, "failover"],
    [{ kind: "invalid-body" }, "failover"],
  ])("%j → %s", (outcome, expected) => {
    expect(classifyOutcome(outcome)).toBe(expected);
  });

  it.each<[RequestOutcome, string]>([
    [{ kind: "timeout", afterMs: 5000 }, "server did not answer in 5 s"],
    [{ kind: "timeout", afterMs: 500 }, "server did not answer in 0.5 s"],
    [{ kind: "network", code: "ECONNREFUSED" }, "server refused the connection"],
    [{ kind: "network", code: "EWHATEVER" }, "connection failed (EWHATEVER)"],
    [{ kind: "response", status: 503 }, "server answered 503"],
  ])("describes %j as %s", (outcome, text) => {
    expect(describeOutcome(outcome)).toBe(text);
  });
});

describe("reconnectDue", () => {
  const minute = 60_000;
  const rules = { reconnectMs: minute, advancedOfflineSwitching: false };
  const offline = (over: Partial<ReconnectState> = {}): ReconnectState => ({
    mode: "offline-auto",
    since: 0,
    lastReconnectAttempt: null,
    healthyAt: null,
    ...over,
  });

  it.each<[string, ReconnectState, number, "transaction-start" | "operation", boolean]>([
    ["online never reconnects", { ...offline(), mode: "online" }, 10 * minute, "transaction-start", false],
    ["manual never reconnects", { ...offline(), mode: "offline-manual" }, 10 * minute, "transaction-start", false],
    ["before the interval", offline(), minute - 1, "transaction-start", false],
    ["at the interval", offline(), minute, "transaction-start", true],
    ["not mid-transaction", offline(), 5 * minute, "operation", false],
    [
      "interval counts from the last attempt",
      offline({ lastReconnectAttempt: 3 * minute }),
      3.5 * minute,
      "transaction-start",
      false,
    ],
    [
      "after a full interval since the last attempt",
      offline({ lastReconnectAttempt: 3 * minute }),
      4 * minute,
      "transaction-start",
      true,
    ],
  ])("%s", (_name, state, now, at, expected) => {
    expect(reconnectDue(state, rules, now, at)).toBe(expected);
  });

  it("with advanced switching a healthy check brings it back at the next operation", () => {
    const advanced = { reconnectMs: minute, advancedOfflineSwitching: true };
    expect(reconnectDue(offline({ since: 1000, healthyAt: 2000 }), advanced, 2001, "operation")).toBe(true);
    expect(reconnectDue(offline({ since: 1000, healthyAt: null }), advanced, 2001, "operation")).toBe(false);
    // A health check from before the switch says nothing about now.
    expect(reconnectDue(offline({ since: 3000, healthyAt: 2000 }), advanced, 3001, "operation")).toBe(false);
  });
});

describe("slow-server rules", () => {
  const rules = { slowResponseThresholdMs: 300, slowResponseCount: 3 };

  it.each<[string, number[], number, number[], string | null]>([
    ["a fast answer ends the run", [900, 900], 300, [], null],
    ["a slow answer extends it", [900], 301, [900, 301], null],
    [
      "the count-th slow answer switches",
      [900, 400],
      500,
      [],
      "server slow: p50 500 ms over the last 3 answers (threshold 300 ms)",
    ],
    [
      "the median is reported",
      [2000, 350],
      1000.4,
      [],
      "server slow: p50 1000 ms over the last 3 answers (threshold 300 ms)",
    ],
  ])("%s", (_name, recent, ms, nextRun, reason) => {
    expect(recordAnswerTime(recent, ms, rules)).toEqual({ recent: nextRun, switchReason: reason });
  });

  it.each([
    [{ slowResponseThresholdMs: 0, slowResponseCount: 3 }],
    [{ slowResponseThresholdMs: 300, slowResponseCount: 0 }],
  ])("is off with %j", (off) => {
    expect(recordAnswerTime([9999, 9999], 9999, off)).toEqual({ recent: [], switchReason: null });
  });

  it.each<[string, RequestOutcome, number, typeof rules, boolean]>([
    ["fast 200", { kind: "response", status: 200 }, 50, rules, true],
    ["slow 200", { kind: "response", status: 200 }, 301, rules, false],
    [
      "slow 200 with slow switching off",
      { kind: "response", status: 200 },
      5000,
      { slowResponseThresholdMs: 0, slowResponseCount: 0 },
      true,
    ],
    ["503", { kind: "response", status: 503 }, 10, rules, false],
    ["refused", { kind: "network", code: "ECONNREFUSED" }, 1, rules, false],
  ])("probe %s healthy: %s", (_name, outcome, ms, r, healthy) => {
    expect(probeHealthy(outcome, ms, r)).toBe(healthy);
  });
});

describe("manualOfflineAllowed", () => {
  it.each([
    [false, false, false],
    [false, true, true],
    [true, false, true],
    [true, true, true],
  ])("signed in %s, allowed before sign-in %s → %s", (signedIn, allow, expected) => {
    expect(manualOfflineAllowed(signedIn, allow)).toBe(expected);
  });
});
