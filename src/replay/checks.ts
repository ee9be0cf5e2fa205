// Compares what a step expected with what happened, field by field, so the report says exactly which field differed.
import type { ConnectionMode } from "../register/failover.js";
import type { ModeExpectation } from "./scenario.js";

export interface CheckResult {
  /** Only the fields the step named, plus `error` when something went wrong that nobody expected. */
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
  failed: string[];
}

/** `offline` accepts either kind of offline; the others must match exactly. */
export function modeMatches(expected: ModeExpectation, actual: ConnectionMode): boolean {
  return expected === "offline" ? actual !== "online" : expected === actual;
}

/**
 * Every expected field is compared with the same field of `actual`. An error that happened is a failure unless the
 * step expected exactly that error; an expected error that did not happen is one too.
 */
export function compare(expect: Record<string, unknown> | undefined, actual: Record<string, unknown>): CheckResult {
  const expected: Record<string, unknown> = { ...(expect ?? {}) };
  const shown: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const [field, want] of Object.entries(expected)) {
    if (want === undefined) continue;
    const got = actual[field];
    shown[field] = got ?? null;
    if (!fieldMatches(field, want, got)) failed.push(field);
  }
  if (actual.error !== undefined && actual.error !== null && expected.error === undefined) {
    shown.error = actual.error;
    failed.push("error");
  }
  if (actual.message !== undefined && failed.includes("error")) shown.message = actual.message;
  return { expected, actual: shown, failed };
}

function fieldMatches(field: string, want: unknown, got: unknown): boolean {
  // The reason carries measured times (server slow: p50 … ms), so an expectation names the part that is stable.
  if (field === "reason") return typeof got === "string" && typeof want === "string" && got.includes(want);
  if (field === "mode") return typeof got === "string" && modeMatches(want as ModeExpectation, got as ConnectionMode);
  if (typeof want === "number" && typeof got === "number") return Math.abs(want - got) < 1e-9;
  return want === got;
}
