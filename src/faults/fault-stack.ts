// The proxy's faults in force (stacked), the seeded draw that decides each request's faults, and the counters.
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultSpec,
  faultMatchesPath,
  NO_FAULT,
  SHAPING_KINDS,
} from "./fault-spec.js";

/** How one direction's bytes are shaped for one request. */
export interface DirectionShape {
  /** Wait before the first byte (latency with its jitter drawn). */
  delayMs: number;
  /** KB/s (1024 bytes) ceiling. */
  kbps?: number;
  slice?: { bytes: number; delayMs: number };
  /** Bytes that may pass before the connection is closed. */
  limit?: number;
}

/** What the proxy does to one request: at most one fault decides the answer; shaping faults combine. */
export interface Decision {
  /** The answering fault (`none`: forward and answer normally). */
  fault: FaultSpec;
  up: DirectionShape;
  down: DirectionShape;
  /** Delay before the connection carrying this request is closed (0: at once). */
  slowCloseMs: number;
  /** Every fault that fired, for the record. */
  fired: FaultSpec[];
}

export interface ActiveFault {
  spec: FaultSpec;
  /** Requests this fault was applied to since it was set. */
  injected: number;
}

export type FaultCounters = Record<Exclude<FaultKind, "none">, number>;

/** mulberry32: small, fast and the same on every platform, so a seed replays the same draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function emptyCounters(): FaultCounters {
  return Object.fromEntries(FAULT_KINDS.filter((k) => k !== "none").map((k) => [k, 0])) as FaultCounters;
}

export class FaultStack {
  private list: ActiveFault[] = [];
  private random: () => number;
  readonly counters: FaultCounters = emptyCounters();

  constructor(private seedValue: number) {
    this.random = seededRandom(seedValue);
  }

  get seed(): number {
    return this.seedValue;
  }

  /** The faults in force, `times` being what remains of each. */
  get faults(): ActiveFault[] {
    return this.list.map((f) => ({ ...f }));
  }

  specs(): FaultSpec[] {
    return this.list.map((f) => f.spec);
  }

  replace(specs: readonly FaultSpec[]): void {
    this.list = specs.filter((s) => s.kind !== "none").map((spec) => ({ spec, injected: 0 }));
  }

  add(spec: FaultSpec): void {
    if (spec.kind !== "none") this.list.push({ spec, injected: 0 });
  }

  /** No faults, counters at zero, and the generator back at the start of its seed (or a new seed). */
  reset(seed = this.seedValue): void {
    this.list = [];
    this.seedValue = seed;
    this.random = seededRandom(seed);
    for (const key of Object.keys(this.counters)) this.counters[key as keyof FaultCounters] = 0;
  }

  /**
   * Decides one request's faults, in stack order. Each fault that matches the path draws once (if it has a
   * probability); the first answering fault that fires wins and later answering ones are not drawn; shaping
   * faults all apply. A fault that fires uses up one of its `times` and leaves the stack when none remain.
   */
  decide(path: string): Decision {
    const decision: Decision = {
      fault: NO_FAULT,
      up: { delayMs: 0 },
      down: { delayMs: 0 },
      slowCloseMs: 0,
      fired: [],
    };
    for (const active of [...this.list]) {
      const { spec } = active;
      if (spec.kind === "none" || !faultMatchesPath(spec, path)) continue;
      const shaping = SHAPING_KINDS.has(spec.kind);
      if (!shaping && decision.fault.kind !== "none") continue;
      if (spec.probability !== undefined && !(this.random() < spec.probability)) continue;
      this.fire(active);
      decision.fired.push(spec);
      if (!shaping) decision.fault = spec;
      else this.shape(decision, spec);
    }
    return decision;
  }

  private fire(active: ActiveFault): void {
    const { spec } = active;
    if (spec.kind === "none") return;
    active.injected++;
    this.counters[spec.kind]++;
    if (spec.times === undefined) return;
    if (spec.times > 1) active.spec = { ...spec, times: spec.times - 1 };
    else this.list = this.list.filter((f) => f !== active);
  }

  private shape(decision: Decision, spec: FaultSpec): void {
    const side = "direction" in spec && spec.direction === "up" ? decision.up : decision.down;
    switch (spec.kind) {
      case "latency": {
        const jitter = spec.jitter ? Math.round((this.random() * 2 - 1) * spec.jitter) : 0;
        side.delayMs += Math.max(0, spec.ms + jitter);
        break;
      }
      case "bandwidth":
        side.kbps = Math.min(side.kbps ?? Number.POSITIVE_INFINITY, spec.kbps);
        break;
      case "slicer":
        side.slice = { bytes: Math.min(side.slice?.bytes ?? spec.bytes, spec.bytes), delayMs: spec.delay ?? 0 };
        break;
      case "limit-data":
        side.limit = Math.min(side.limit ?? spec.bytes, spec.bytes);
        break;
      case "slow-close":
        decision.slowCloseMs = Math.max(decision.slowCloseMs, spec.ms);
        break;
    }
  }
}

/** A fresh seed when none is given, so every run has one to print and replay. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
