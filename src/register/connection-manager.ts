// Decides online vs offline for every request (DESIGN idea 5): classifies failures, switches, reconnects, persists.
import type { Clock } from "../lib/clock.js";
import { OperationError, UnreachableError } from "../lib/errors.js";
import type { ConnectionState, ConnectionStateStore } from "./connection-state.js";
import type { DataSource, OfflineReadiness } from "./data-source.js";
import { RequestFailure } from "./data-source.js";
import {
  type ConnectionMode,
  classifyOutcome,
  describeOutcome,
  manualOfflineAllowed,
  probeHealthy,
  type ReconnectRules,
  type RequestOutcome,
  reconnectDue,
  recordAnswerTime,
  type SlowResponseRules,
} from "./failover.js";

const NOT_OFFLINE_FIX =
  "wait for the server; to sell offline, set Supports offline at HQ and provision the register with an offline database";

export interface ConnectionRules extends ReconnectRules, SlowResponseRules {
  timeoutMs: number;
  healthCheckMs: number;
  supportsOffline: boolean;
  allowManualOfflineBeforeSignIn: boolean;
  /** For the refusal's fix: the offline profile to change. */
  offlineProfileId?: string;
}

export interface SwitchEvent {
  from: ConnectionMode;
  to: ConnectionMode;
  reason: string;
  at: number;
}

export interface ConnectionManagerOptions {
  clock: Clock;
  store: ConnectionStateStore;
  rules: ConnectionRules;
  online: DataSource;
  /** The offline database, or null for a register without one. */
  offline: DataSource | null;
  offlineReadiness: () => OfflineReadiness;
  /** One quick request to the server (health); resolves with what happened. */
  probe: () => Promise<RequestOutcome>;
  onSwitch?: (event: SwitchEvent) => void;
  /**
   * Monotonic milliseconds for timing the server's answers. Not the Clock: an answer takes real time even when the
   * register runs on a virtual clock (replay), just as HTTP timeouts do.
   */
  stopwatch?: () => number;
}

export class ConnectionManager {
  private readonly o: ConnectionManagerOptions;
  private healthLoop: AbortController | null = null;
  /** Times of the current run of consecutive slow answers (slow-server switching); kept per process. */
  private slowRun: number[] = [];
  /** Whether a staff member signed in through this manager (this process): 917 before that follows the profile. */
  private signedIn = false;

  constructor(options: ConnectionManagerOptions) {
    this.o = options;
  }

  get mode(): ConnectionMode {
    return this.o.store.read().mode;
  }

  get state() {
    return this.o.store.read();
  }

  /**
   * Called when a transaction starts: the only moment an automatically offline register tries the server
   * again (after reconnectInterval), unless advanced switching saw the server healthy.
   */
  async startTransaction(): Promise<void> {
    await this.maybeReconnect("transaction-start");
  }

  /** Runs one data request on the source the current mode says, failing over when the server does not answer. */
  async run<T>(request: (source: DataSource) => Promise<T>): Promise<T> {
    const state = await this.maybeReconnect("operation");
    if (state.mode !== "online") return request(this.offlineSource(state.reason ?? "offline"));
    const started = this.elapsed();
    try {
      const answer = await request(this.o.online);
      this.noteAnswerTime(this.elapsed() - started);
      return answer;
    } catch (error) {
      if (!(error instanceof RequestFailure) || classifyOutcome(error.outcome) !== "failover") throw error;
      const reason = describeOutcome(error.outcome);
      const offline = this.offlineSource(reason);
      this.switchTo("offline-auto", reason);
      return request(offline);
    }
  }

  /**
   * A slow answer still counts as an answer (the caller keeps it); the slowResponseCount-th slow one in a row takes
   * the register offline for the next requests — only when it could sell offline, otherwise it stays online.
   */
  private noteAnswerTime(ms: number): void {
    const verdict = recordAnswerTime(this.slowRun, ms, this.o.rules);
    this.slowRun = verdict.recent;
    if (verdict.switchReason === null || !this.offline || !this.o.offlineReadiness().ok) return;
    if (this.o.store.read().mode !== "online") return;
    this.switchTo("offline-auto", verdict.switchReason);
  }

  /** Probes the server once, timed, and says whether it is usable again (answered, and fast enough). */
  private async probeUsable(): Promise<boolean> {
    const started = this.elapsed();
    const outcome = await this.o.probe();
    return probeHealthy(outcome, this.elapsed() - started, this.o.rules);
  }

  private elapsed(): number {
    return (this.o.stopwatch ?? performance.now.bind(performance))();
  }

  /** A staff member signed in: from now on operation 917 Disconnect is always available. */
  noteSignedIn(): void {
    this.signedIn = true;
  }

  /** Whether the sign-in screen offers the switch to offline (allowManualOfflineBeforeSignIn, and offline works). */
  get offlineSignInOffered(): boolean {
    return this.o.rules.allowManualOfflineBeforeSignIn && this.offline !== null && this.mode === "online";
  }

  /** Operation 917 while online: manual offline, no automatic reconnect until Connect. */
  disconnect(): SwitchEvent | null {
    const state = this.o.store.read();
    if (state.mode === "offline-manual") return null;
    if (!this.offline) {
      throw new OperationError(
        "this register does not support offline, so operation 917 cannot disconnect it",
        "RealtimeServiceNotSupported",
        NOT_OFFLINE_FIX,
      );
    }
    this.offlineSource("manual disconnect");
    if (!manualOfflineAllowed(this.signedIn, this.o.rules.allowManualOfflineBeforeSignIn)) {
      const profile = this.o.rules.offlineProfileId ?? "<profile>";
      throw new OperationError(
        `switching to offline before sign-in is not allowed by offline profile ${profile} (Allow manual offline before sign-in is off)`,
        "ManualOfflineBeforeSignInNotAllowed",
        `sign in first and use operation 917 (pos sale, then 917), or turn it on: pos hq profile set ${profile} allowManualOfflineBeforeSignIn true, then pos cdx run 1090 and pos sync pull`,
      );
    }
    return this.switchTo("offline-manual", "operation 917 (Disconnect)");
  }

  /** Operation 917 while offline: tries the server at once and says why it failed. */
  async connect(): Promise<SwitchEvent | null> {
    const state = this.o.store.read();
    if (state.mode === "online") return null;
    const outcome = await this.o.probe();
    const now = this.o.clock.now();
    if (classifyOutcome(outcome) !== "ok") {
      this.o.store.write({ ...state, lastReconnectAttempt: now });
      throw new UnreachableError(`cannot connect: ${describeOutcome(outcome)}`, "ServerUnreachable", "still offline");
    }
    return this.switchTo("online", "operation 917 (Connect)");
  }

  /** The 917 button: Disconnect when online, Connect (trying the server at once) when offline. */
  operation917(): Promise<SwitchEvent | null> {
    return this.mode === "online" ? Promise.resolve(this.disconnect()) : this.connect();
  }

  /** With advanced offline switching: probe every healthCheckInterval in the background (never blocks a sale). */
  startHealthCheck(): void {
    if (!this.o.rules.advancedOfflineSwitching || this.healthLoop) return;
    const loop = new AbortController();
    this.healthLoop = loop;
    void (async () => {
      while (!loop.signal.aborted) {
        await this.o.clock.sleep(this.o.rules.healthCheckMs, loop.signal);
        if (loop.signal.aborted) break;
        await this.healthCheck();
      }
    })();
  }

  stopHealthCheck(): void {
    this.healthLoop?.abort();
    this.healthLoop = null;
  }

  /** One health check: records that the server answered, so the next operation goes back online. */
  async healthCheck(): Promise<boolean> {
    const state = this.o.store.read();
    if (state.mode !== "offline-auto") return false;
    if (!(await this.probeUsable())) return false;
    this.o.store.write({ ...this.o.store.read(), healthyAt: this.o.clock.now() });
    return true;
  }

  /** Tries the server when the reconnect rules say so; returns the state to act on (read once on the usual path). */
  private async maybeReconnect(at: "transaction-start" | "operation"): Promise<ConnectionState> {
    const state = this.o.store.read();
    const now = this.o.clock.now();
    if (!reconnectDue(state, this.o.rules, now, at)) return state;
    if (await this.probeUsable()) this.switchTo("online", "server answered again");
    else this.o.store.write({ ...this.o.store.read(), lastReconnectAttempt: now, healthyAt: null });
    return this.o.store.read();
  }

  /** The offline database, if this register may use one. */
  private get offline(): DataSource | null {
    return this.o.rules.supportsOffline ? this.o.offline : null;
  }

  /** The offline source, or the reason the register cannot go offline (the sale stops; nothing completed is lost). */
  private offlineSource(reason: string): DataSource {
    const offline = this.offline;
    if (!offline) {
      throw new UnreachableError(
        `${reason}, and this register does not work offline`,
        "RealtimeServiceNotSupported",
        NOT_OFFLINE_FIX,
      );
    }
    const ready = this.o.offlineReadiness();
    if (!ready.ok)
      throw new OperationError(`${reason}; cannot switch offline: ${ready.message}`, ready.code, ready.fix);
    return offline;
  }

  private switchTo(mode: ConnectionMode, reason: string): SwitchEvent {
    const state = this.o.store.read();
    const now = this.o.clock.now();
    const event: SwitchEvent = { from: state.mode, to: mode, reason, at: now };
    this.slowRun = [];
    this.o.store.write({
      mode,
      since: now,
      lastReconnectAttempt: mode === "online" ? null : state.lastReconnectAttempt,
      healthyAt: null,
      reason: mode === "online" ? null : reason,
    });
    this.o.onSwitch?.(event);
    return event;
  }
}
