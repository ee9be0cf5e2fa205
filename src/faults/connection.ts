// One client connection through the fault proxy: frames its requests, applies each one's fault, and pairs it with one upstream connection.
import { connect, type Socket } from "node:net";
import type { Clock } from "../lib/clock.js";
import type { FaultSpec } from "./fault-spec.js";
import type { Decision } from "./fault-stack.js";
import {
  createRequestFramer,
  createResponseFramer,
  type FramingEvent,
  type RequestHead,
  type ResponseHead,
} from "./http-framing.js";
import { garbageAnswer, injectedStatus } from "./injected-answers.js";
import { Pipe, type ShapeState, shapeState } from "./shaper.js";

export interface ConnectionHost {
  readonly target: { host: string; port: number };
  readonly clock: Clock;
  /** The faults for one request (counts it); fault `none` and no shaping means forward untouched. */
  decide(method: string, path: string): Decision;
  countForwarded(): void;
  /** Bytes written to the server (`up`) or to the client (`down`). */
  countBytes(direction: "up" | "down", bytes: number): void;
  closed(connection: ProxyConnection): void;
}

/** One request and its answer, kept in request order because HTTP/1.1 answers in that order. */
interface Exchange {
  readonly head: RequestHead;
  readonly fault: FaultSpec;
  /** How the request's bytes go to the server and the answer's to the client. */
  readonly up: ShapeState;
  readonly down: ShapeState;
  /** Bytes for the client not yet written (waiting for their turn, a latency delay or a stall). */
  out: Buffer[];
  /** The answer is complete (or will never come to the client). */
  done: boolean;
  answered: boolean;
  after: "keep" | "end" | "reset";
}

const FORWARDING = new Set<FaultSpec["kind"]>(["none", "stall", "latency", "reset", "lost-ack"]);

export class ProxyConnection {
  /** A stalled connection neither forwards request bytes nor delivers response bytes until released. */
  private held = false;
  private readonly requests = createRequestFramer();
  private upstream: Socket | undefined;
  private readonly queue: Exchange[] = [];
  private readonly awaiting: Exchange[] = [];
  private heldUpstream: Array<{ data: Buffer; isHead: boolean; state: ShapeState | undefined }> = [];
  private reading: Exchange | undefined;
  private interim = false;
  private clientEnded = false;
  /** Set once the connection is being reset or is gone: nothing more is read, forwarded or written. */
  private stopped = false;
  private gone = false;
  /** slow-close: how long closing waits once it is due. */
  private closeDelayMs = 0;
  private closing = false;
  private readonly toClient: Pipe;
  private readonly toServer: Pipe;

  constructor(
    private readonly client: Socket,
    private readonly host: ConnectionHost,
  ) {
    client.setNoDelay(true);
    const cut = () => this.cutShort();
    this.toClient = new Pipe(
      (data, written) => {
        if (this.gone) return;
        host.countBytes("down", data.length);
        client.write(data, () => written());
      },
      host.clock,
      cut,
    );
    this.toServer = new Pipe(
      (data, written) => {
        if (this.gone) return;
        host.countBytes("up", data.length);
        this.connectUpstream().write(data, () => written());
      },
      host.clock,
      cut,
    );
    client.on("data", (chunk: Buffer) => this.onClientData(chunk));
    client.on("end", () => {
      this.clientEnded = true;
      this.pump();
    });
    client.on("error", () => this.destroy());
    client.on("close", () => this.destroy());
  }

  get isHeld(): boolean {
    return this.held;
  }

  hold(): void {
    this.held = true;
  }

  /** Ends a stall: held requests go to the server and held answers to the client, in order. */
  release(): void {
    if (!this.held || this.stopped) return;
    this.held = false;
    const pending = this.heldUpstream;
    this.heldUpstream = [];
    for (const { data, isHead, state } of pending) this.sendUpstream(data, isHead, state);
    this.pump();
  }

  /** Drops the client with a TCP RST (not a FIN), which is what a crashed peer or middlebox looks like. */
  reset(): void {
    if (this.gone) return;
    this.client.resetAndDestroy();
    this.destroy();
  }

  destroy(): void {
    this.stopped = true;
    if (this.gone) return;
    this.gone = true;
    this.toClient.stop();
    this.toServer.stop();
    this.client.destroy();
    this.upstream?.destroy();
    this.host.closed(this);
  }

  private onClientData(chunk: Buffer): void {
    if (this.stopped) return;
    let events: Array<FramingEvent<RequestHead>>;
    try {
      events = this.requests.push(chunk);
    } catch {
      this.destroy();
      return;
    }
    for (const event of events) {
      if (this.stopped) return;
      if (event.type === "head") this.onRequestHead(event.head);
      else if (event.type === "body") {
        if (this.reading && FORWARDING.has(this.reading.fault.kind)) {
          this.sendUpstream(event.data, false, this.reading.up);
        }
      } else {
        const exchange = this.reading;
        this.reading = undefined;
        if (exchange) this.answerLocally(exchange);
      }
    }
  }

  private onRequestHead(head: RequestHead): void {
    const decision = this.host.decide(head.method, head.path);
    const { fault } = decision;
    this.closeDelayMs = Math.max(this.closeDelayMs, decision.slowCloseMs);
    if (fault.kind === "refuse") {
      // The listener stays open for the requests this fault does not cover, so a covered one gets its connection reset.
      this.reset();
      return;
    }
    if (fault.kind === "stall") this.hold();
    const exchange: Exchange = {
      head,
      fault,
      up: shapeState(decision.up),
      down: shapeState(decision.down),
      out: [],
      done: false,
      answered: false,
      after: head.keepAlive ? "keep" : "end",
    };
    this.queue.push(exchange);
    this.reading = exchange;
    if (FORWARDING.has(fault.kind)) {
      this.awaiting.push(exchange);
      this.sendUpstream(head.raw, true, exchange.up);
    } else if (head.expectContinue) {
      // The client waits for "100 Continue" before its body; answering now keeps it from waiting for nothing.
      this.answerLocally(exchange);
    }
  }

  /** `http` and `garbage` answer without the server, once the request is read (or at once for Expect: 100-continue). */
  private answerLocally(exchange: Exchange): void {
    const { fault } = exchange;
    if (exchange.answered || (fault.kind !== "http" && fault.kind !== "garbage")) return;
    exchange.answered = true;
    exchange.out.push(fault.kind === "http" ? injectedStatus(fault.status) : garbageAnswer());
    exchange.done = true;
    this.pump();
  }

  private sendUpstream(data: Buffer, isHead: boolean, state: ShapeState | undefined): void {
    if (this.held) {
      this.heldUpstream.push({ data, isHead, state });
      return;
    }
    if (isHead) this.host.countForwarded();
    this.toServer.write(data, state);
  }

  private connectUpstream(): Socket {
    if (this.upstream) return this.upstream;
    const socket = connect({ host: this.host.target.host, port: this.host.target.port });
    socket.setNoDelay(true);
    const framer = createResponseFramer(() => this.awaiting[0]?.head.method);
    this.upstream = socket;
    socket.on("data", (chunk: Buffer) => {
      try {
        this.onResponseEvents(framer.push(chunk));
      } catch {
        this.reset();
      }
    });
    socket.on("end", () => {
      this.onResponseEvents(framer.finish());
      this.upstreamGone(socket);
    });
    socket.on("error", () => this.upstreamGone(socket));
    socket.on("close", () => this.upstreamGone(socket));
    return socket;
  }

  /** The server closed or failed: if it owed answers the client sees the failure too; otherwise the next request reconnects. */
  private upstreamGone(socket: Socket): void {
    if (this.upstream !== socket) return;
    this.upstream = undefined;
    socket.destroy();
    if (this.awaiting.length > 0) this.reset();
  }

  private onResponseEvents(events: Array<FramingEvent<ResponseHead>>): void {
    for (const event of events) {
      const exchange = this.awaiting[0];
      if (this.stopped) return;
      if (!exchange) {
        // An answer nobody asked for: the stream cannot be trusted any more.
        this.reset();
        return;
      }
      if (event.type === "head") {
        this.interim = event.head.interim;
        this.onResponseHead(exchange, event.head);
      } else if (event.type === "body") {
        if (!exchange.done && exchange.fault.kind !== "lost-ack") exchange.out.push(event.data);
      } else if (this.interim) {
        this.interim = false;
      } else {
        this.awaiting.shift();
        if (exchange.fault.kind === "lost-ack") exchange.after = "reset";
        exchange.done = true;
      }
    }
    this.pump();
  }

  private onResponseHead(exchange: Exchange, head: ResponseHead): void {
    const { fault } = exchange;
    if (fault.kind === "lost-ack" || exchange.done) return;
    if (!head.keepAlive || head.body.kind === "until-close") exchange.after = "end";
    if (head.interim) {
      exchange.out.push(head.raw);
      return;
    }
    if (fault.kind === "reset") {
      const bodyless = head.body.kind === "none" || (head.body.kind === "length" && head.body.length === 0);
      // Cut inside the answer: after the head when a body follows, else just before the head's last CRLF.
      exchange.out.push(bodyless ? head.raw.subarray(0, head.raw.length - 2) : head.raw);
      exchange.after = "reset";
      exchange.done = true;
      return;
    }
    exchange.out.push(head.raw);
  }

  /** Writes answers to the client strictly in request order. */
  private pump(): void {
    while (!this.stopped && !this.held) {
      const exchange = this.queue[0];
      if (!exchange) break;
      const out = exchange.out;
      exchange.out = [];
      if (exchange.done && exchange.after === "reset") {
        this.queue.shift();
        this.resetAfter(out, exchange.down);
        return;
      }
      for (const data of out) this.toClient.write(data, exchange.down);
      if (!exchange.done) return;
      this.queue.shift();
      if (exchange.after === "end") {
        this.closeWhenSent();
        return;
      }
    }
    if (this.clientEnded && this.queue.length === 0 && !this.stopped) this.closeWhenSent();
  }

  /** Ends both sides once the client has what it is owed; slow-close holds the connection open that much longer. */
  private closeWhenSent(): void {
    if (this.closing) return;
    this.closing = true;
    this.toClient.afterSent(() => {
      const close = () => {
        this.client.end();
        this.upstream?.end();
      };
      if (this.closeDelayMs > 0) void this.host.clock.sleep(this.closeDelayMs).then(close);
      else close();
    });
  }

  /** limit-data: the budget is spent, so the connection closes (FIN) mid-message, as a dropped link cuts a download. */
  private cutShort(): void {
    if (this.gone) return;
    this.stopped = true;
    this.client.end();
    // Forget the server side first: its close must not turn this FIN into a reset (a reset would also make the
    // client's system drop bytes it has received but not yet read).
    const upstream = this.upstream;
    this.upstream = undefined;
    upstream?.destroy();
    // The client may never close its side; do not wait for it.
    this.client.once("finish", () => this.destroy());
  }

  /** Writes what the client may still see, then resets once those bytes have left, so the cut lands where intended. */
  private resetAfter(out: Buffer[], state: ShapeState): void {
    const last = out.pop();
    this.stopped = true;
    for (const data of out) this.toClient.write(data, state);
    if (last === undefined) this.toClient.afterSent(() => this.reset());
    else this.toClient.write(last, state, () => this.reset());
  }
}
