// Pure failover rules (SPEC §4.2): which failures switch a register offline, and when to try the server again.

export type ConnectionMode = "online" | "offline-auto" | "offline-manual";

/** What HQ, the 917 caption and a receipt see: offline, whether automatic or manual. */
export function onlineOrOffline(mode: ConnectionMode): "online" | "offline" {
  return mode === "online" ? "online" : "offline";
}

/** What happened to one request, reduced to what the failover rules look at. */
export type RequestOutcome =
  | { kind: "response"; status: number }
  | { kind: "network"; code: string; message?: string }
  | { kind: "timeout"; afterMs: number }
  | { kind: "invalid-body"; message?: string };

export type FailureClass = "ok" | "failover" | "business";

const FAILOVER_STATUSES = new Set([502, 503, 504]);

/**
 * refused / reset / DNS / no complete answer in time / a gateway status / an unreadable answer → failover;
 * any other 4xx/5xx is the server speaking and goes to the cashier as a business error.
 */
export function classifyOutcome(outcome: RequestOutcome): FailureClass {
  switch (outcome.kind) {
    case "response":
      if (outcome.status < 400) return "ok";
      return FAILOVER_STATUSES.has(outcome.status) ? "failover" : "business";
    case "network":
    case "timeout":
    case "invalid-body":
      return "failover";
  }
}

/** A one-line reason for the switch, as the cashier reads it. */
export function describeOutcome(outcome: RequestOutcome): string {
  switch (outcome.kind) {
    case "response":
      return `server answered ${outcome.status}`;
    case "timeout":
      return `server did not answer in ${formatSeconds(outcome.afterMs)}`;
    case "invalid-body":
      return "server sent an unreadable answer";
    case "network":
      return NETWORK_WORDS[outcome.code] ?? `connection failed (${outcome.code})`;
  }
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: "server refused the connection",
  ECONNRESET: "connection to the server was reset",
  EPIPE: "connection to the server was broken",
  ENOTFOUND: "server name could not be resolved (DNS)",
  EAI_AGAIN: "server name could not be resolved (DNS)",
  EHOSTUNREACH: "server host is unreachable",
  ENETUNREACH: "network is unreachable",
};

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export interface ReconnectRules {
  /** reconnectInterval in ms. */
  reconnectMs: number;
  advancedOfflineSwitching: boolean;
}

export interface ReconnectState {
  mode: ConnectionMode;
  lastReconnectAttempt: number | null;
  /** When switched offline (the first reconnect waits a full interval from here). */
  since: number;
  /** Set by the background health check (advanced switching) when the server answered. */
  healthyAt: number | null;
}

/**
 * Whether to try the server now. Only automatic offline reconnects; only at the start of a transaction,
 * after reconnectInterval since the last attempt (or since going offline) — or, with advanced switching,
 * at the next operation once a health check saw the server answer.
 */
export function reconnectDue(
  state: ReconnectState,
  rules: ReconnectRules,
  now: number,
  at: "transaction-start" | "operation",
): boolean {
  if (state.mode !== "offline-auto") return false;
  if (rules.advancedOfflineSwitching && state.healthyAt !== null && state.healthyAt >= state.since) return true;
  if (at !== "transaction-start") return false;
  const from = Math.max(state.since, state.lastReconnectAttempt ?? state.since);
  return now - from >= rules.reconnectMs;
}

/**
 * Slow-server switching (D365 10.0.20+ advanced offline switching): `count` consecutive answers slower than
 * `thresholdMs` take the register offline even though the server still answers. 0 in either field turns it off.
 */
export interface SlowResponseRules {
  slowResponseThresholdMs: number;
  slowResponseCount: number;
}

export function slowSwitchingOn(rules: SlowResponseRules): boolean {
  return rules.slowResponseThresholdMs > 0 && rules.slowResponseCount > 0;
}

/** How long each of the current run of consecutive slow answers took, and whether the run is long enough to switch. */
export interface SlowVerdict {
  recent: number[];
  /** The switch reason once the run reaches slowResponseCount; null while the server is fast enough. */
  switchReason: string | null;
}

/** Adds one answer's time: a fast answer ends the run; the count-th slow one in a row says why to switch. */
export function recordAnswerTime(recent: readonly number[], ms: number, rules: SlowResponseRules): SlowVerdict {
  if (!slowSwitchingOn(rules) || ms <= rules.slowResponseThresholdMs) return { recent: [], switchReason: null };
  const run = [...recent, ms];
  if (run.length < rules.slowResponseCount) return { recent: run, switchReason: null };
  return { recent: [], switchReason: describeSlow(run, rules) };
}

/** `server slow: p50 812 ms over the last 3 answers (threshold 300 ms)`. */
export function describeSlow(times: readonly number[], rules: SlowResponseRules): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const n = times.length;
  return `server slow: p50 ${Math.round(median)} ms over the last ${n} answer${n === 1 ? "" : "s"} (threshold ${rules.slowResponseThresholdMs} ms)`;
}

/**
 * Whether a probe (health check, reconnect) says the server is usable again: it answered, and — with slow
 * switching on — within the threshold, so a still-slow server does not bounce the register back and forth.
 */
export function probeHealthy(outcome: RequestOutcome, ms: number, rules: SlowResponseRules): boolean {
  if (classifyOutcome(outcome) !== "ok") return false;
  return !slowSwitchingOn(rules) || ms <= rules.slowResponseThresholdMs;
}

/**
 * Operation 917 (Disconnect) before anyone signed in is the offline profile's allowManualOfflineBeforeSignIn (D365:
 * the sign-in screen's switch to offline); once signed in the button always works.
 */
export function manualOfflineAllowed(signedIn: boolean, allowManualOfflineBeforeSignIn: boolean): boolean {
  return signedIn || allowManualOfflineBeforeSignIn;
}
