// One direction of a proxied connection as an ordered pipe: bytes go out whole, or delayed, sliced, throttled or cut short.
import type { Clock } from "../lib/clock.js";
import type { DirectionShape } from "./fault-stack.js";

type Sink = (data: Buffer, written: () => void) => void;

/** Per-request state of a shape: bytes still allowed and the bandwidth timeline. */
export interface ShapeState {
  readonly shape: DirectionShape;
  left: number | undefined;
  startedAt: number | undefined;
  sent: number;
  delayed: boolean;
}

export function shapeState(shape: DirectionShape): ShapeState {
  return { shape, left: shape.limit, startedAt: undefined, sent: 0, delayed: false };
}

/** True when the shape changes nothing (bytes go straight through). */
function plain(state: ShapeState | undefined): boolean {
  if (!state) return true;
  const { shape } = state;
  return (
    (shape.delayMs === 0 || state.delayed) &&
    shape.kbps === undefined &&
    shape.slice === undefined &&
    state.left === undefined
  );
}

type Op =
  | { kind: "data"; data: Buffer; state: ShapeState | undefined; written?: (() => void) | undefined }
  | { kind: "call"; fn: () => void };

/**
 * Writes in order. With nothing shaped and nothing queued a write goes to the sink at once, so an unfaulted
 * connection behaves exactly as before; otherwise operations queue and run one after another.
 */
export class Pipe {
  private readonly ops: Op[] = [];
  private running = false;
  private stopped = false;

  constructor(
    private readonly sink: Sink,
    private readonly clock: Clock,
    /** A `limit-data` budget ran out: the connection must close. */
    private readonly onLimit: () => void,
  ) {}

  write(data: Buffer, state?: ShapeState, written?: () => void): void {
    if (this.stopped) return;
    if (!this.running && this.ops.length === 0 && plain(state)) {
      this.sink(data, written ?? noop);
      return;
    }
    this.ops.push({ kind: "data", data, state, written });
    this.run();
  }

  /** Runs `fn` once everything written before it has gone out. */
  afterSent(fn: () => void): void {
    if (this.stopped) return;
    if (!this.running && this.ops.length === 0) {
      fn();
      return;
    }
    this.ops.push({ kind: "call", fn });
    this.run();
  }

  stop(): void {
    this.stopped = true;
    this.ops.length = 0;
  }

  private run(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped) {
        const op = this.ops.shift();
        if (!op) return;
        if (op.kind === "call") op.fn();
        else await this.send(op.data, op.state, op.written);
      }
    } finally {
      // Cleared in the same turn the loop ends, so a write arriving next starts a new loop.
      this.running = false;
    }
  }

  private async send(data: Buffer, state: ShapeState | undefined, written: (() => void) | undefined): Promise<void> {
    if (!state) {
      await this.put(data);
      written?.();
      return;
    }
    const { shape } = state;
    if (!state.delayed) {
      state.delayed = true;
      if (shape.delayMs > 0) await this.clock.sleep(shape.delayMs);
    }
    // Throttled bytes go in pieces of a twentieth of a second, so the rate holds within each second.
    const size = shape.slice?.bytes ?? (shape.kbps ? Math.max(1, Math.floor((shape.kbps * 1024) / 20)) : data.length);
    for (let at = 0; at < data.length && !this.stopped; at += size) {
      let piece = data.subarray(at, at + size);
      if (state.left !== undefined) {
        if (state.left <= 0) return this.cut();
        piece = piece.subarray(0, state.left);
        state.left -= piece.length;
      }
      state.startedAt ??= this.clock.now();
      await this.put(piece);
      state.sent += piece.length;
      if (state.left === 0) return this.cut();
      if (shape.kbps) {
        const due = state.startedAt + (state.sent * 1000) / (shape.kbps * 1024);
        const wait = due - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
      }
      if (shape.slice && shape.slice.delayMs > 0) await this.clock.sleep(shape.slice.delayMs);
    }
    written?.();
  }

  private cut(): void {
    this.stop();
    this.onLimit();
  }

  private put(data: Buffer): Promise<void> {
    return new Promise((resolve) => this.sink(data, resolve));
  }
}

function noop(): void {}
