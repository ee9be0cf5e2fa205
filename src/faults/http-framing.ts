// Incremental HTTP/1.1 framing: finds where each request or response starts and ends in a byte stream, keeping bytes exact.

/** How a message's body is delimited (RFC 9112 §6). */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "until-close" };

export interface MessageHead {
  /** The exact bytes of the start line, headers and blank line, as received. */
  raw: Buffer;
  version: string;
  /** Header names lower-cased, values trimmed, in order. */
  headers: Array<[string, string]>;
  body: BodyFraming;
  /** Whether the sender means to keep the connection open after this message. */
  keepAlive: boolean;
}

export interface RequestHead extends MessageHead {
  method: string;
  target: string;
  /** The target's path without the query, for matching faults. */
  path: string;
  expectContinue: boolean;
}

export interface ResponseHead extends MessageHead {
  status: number;
  reason: string;
  /** A 1xx answer: another response for the same request follows. */
  interim: boolean;
}

/** Body events carry the body's wire bytes (chunk sizes and trailers included), so forwarding them changes nothing. */
export type FramingEvent<H> = { type: "head"; head: H } | { type: "body"; data: Buffer } | { type: "end" };

export class FramingError extends Error {
  override readonly name = "FramingError";
}

const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");
const EMPTY = Buffer.alloc(0);
/** Node's own default header limit (--max-http-header-size) is 16 KiB; be more lenient than the peers we sit between. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4096;

type State =
  | { at: "head" }
  | { at: "length"; remaining: number }
  | { at: "chunk-size" }
  | { at: "chunk-data"; remaining: number }
  | { at: "trailer" }
  | { at: "until-close" };

/** Push-based framer for one direction of one connection; `push` returns what the new bytes completed. */
export class HttpFramer<H extends MessageHead> {
  private pending: Buffer = EMPTY;
  private state: State = { at: "head" };

  constructor(private readonly parseHead: (raw: Buffer) => H) {}

  /** True between messages with no partial message buffered. */
  get idle(): boolean {
    return this.state.at === "head" && this.pending.length === 0;
  }

  push(chunk: Buffer): Array<FramingEvent<H>> {
    const events: Array<FramingEvent<H>> = [];
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = EMPTY;
    let pos = 0;
    let runStart = -1;
    // Contiguous body bytes become one event instead of one per chunk-size line and chunk.
    const body = (end: number) => {
      if (runStart === -1) runStart = pos;
      pos = end;
    };
    const flush = () => {
      if (runStart !== -1 && pos > runStart) events.push({ type: "body", data: buf.subarray(runStart, pos) });
      runStart = -1;
    };
    const keep = (max: number, what: string) => {
      flush();
      if (buf.length - pos > max) throw new FramingError(`${what} longer than ${max} bytes`);
      this.pending = Buffer.from(buf.subarray(pos));
      pos = buf.length;
    };
    const end = () => {
      flush();
      events.push({ type: "end" });
      this.state = { at: "head" };
    };

    while (pos < buf.length) {
      const state = this.state;
      switch (state.at) {
        case "head": {
          // Tolerate stray blank lines between messages (RFC 9112 §2.2).
          if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) {
            pos += 2;
            break;
          }
          const stop = buf.indexOf(HEAD_END, pos);
          if (stop === -1) {
            keep(MAX_HEAD_BYTES, "message head");
            break;
          }
          const head = this.parseHead(Buffer.from(buf.subarray(pos, stop + 4)));
          pos = stop + 4;
          events.push({ type: "head", head });
          const framing = head.body;
          if (framing.kind === "none" || (framing.kind === "length" && framing.length === 0)) end();
          else if (framing.kind === "length") this.state = { at: "length", remaining: framing.length };
          else if (framing.kind === "chunked") this.state = { at: "chunk-size" };
          else this.state = { at: "until-close" };
          break;
        }
        case "length":
        case "chunk-data": {
          const n = Math.min(state.remaining, buf.length - pos);
          body(pos + n);
          state.remaining -= n;
          if (state.remaining > 0) break;
          if (state.at === "length") end();
          else this.state = { at: "chunk-size" };
          break;
        }
        case "chunk-size": {
          const eol = buf.indexOf(CRLF, pos);
          if (eol === -1) {
            keep(MAX_LINE_BYTES, "chunk size line");
            break;
          }
          const size = parseChunkSize(buf.toString("latin1", pos, eol));
          body(eol + 2);
          // The chunk's data is followed by CRLF, which belongs to it.
          this.state = size === 0 ? { at: "trailer" } : { at: "chunk-data", remaining: size + 2 };
          break;
        }
        case "trailer": {
          const eol = buf.indexOf(CRLF, pos);
          if (eol === -1) {
            keep(MAX_HEAD_BYTES, "trailer");
            break;
          }
          const last = eol === pos;
          body(eol + 2);
          if (last) end();
          break;
        }
        case "until-close":
          body(buf.length);
          break;
      }
    }
    flush();
    return events;
  }

  /** The peer closed: a body delimited by the close ends here; anything else partial is simply dropped. */
  finish(): Array<FramingEvent<H>> {
    const complete = this.state.at === "until-close";
    this.state = { at: "head" };
    this.pending = EMPTY;
    return complete ? [{ type: "end" }] : [];
  }
}

export function createRequestFramer(): HttpFramer<RequestHead> {
  return new HttpFramer(parseRequestHead);
}

/** `requestMethod` names the request the next response answers (HEAD and CONNECT answers have no body). */
export function createResponseFramer(requestMethod: () => string | undefined): HttpFramer<ResponseHead> {
  return new HttpFramer((raw) => parseResponseHead(raw, requestMethod()));
}

export function parseRequestHead(raw: Buffer): RequestHead {
  const { startLine, headers } = splitHead(raw);
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d\.\d)$/.exec(startLine);
  if (!match) throw new FramingError(`bad request line "${startLine.slice(0, 80)}"`);
  const [, method = "", target = "", version = ""] = match;
  const transferEncoding = lastCoding(headers);
  let body: BodyFraming;
  if (transferEncoding !== undefined) {
    // A request body must be self-delimiting; a server would answer 400 (RFC 9112 §6.3).
    if (transferEncoding !== "chunked") throw new FramingError(`unsupported transfer-encoding "${transferEncoding}"`);
    body = { kind: "chunked" };
  } else {
    const length = contentLength(headers);
    body = length === undefined ? { kind: "none" } : { kind: "length", length };
  }
  const expect = header(headers, "expect")?.toLowerCase();
  return {
    raw,
    version,
    headers,
    body,
    keepAlive: keepAlive(version, headers),
    method,
    target,
    path: pathOf(target),
    expectContinue: expect === "100-continue",
  };
}

export function parseResponseHead(raw: Buffer, requestMethod: string | undefined): ResponseHead {
  const { startLine, headers } = splitHead(raw);
  const match = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(startLine);
  if (!match) throw new FramingError(`bad status line "${startLine.slice(0, 80)}"`);
  const [, version = "", code = "", reason = ""] = match;
  const status = Number(code);
  const interim = status >= 100 && status < 200;
  let body: BodyFraming;
  if (interim || status === 204 || status === 304 || requestMethod === "HEAD") body = { kind: "none" };
  else if (requestMethod === "CONNECT" && status < 300) body = { kind: "until-close" };
  else {
    const transferEncoding = lastCoding(headers);
    if (transferEncoding === "chunked") body = { kind: "chunked" };
    else if (transferEncoding !== undefined) body = { kind: "until-close" };
    else {
      const length = contentLength(headers);
      body = length === undefined ? { kind: "until-close" } : { kind: "length", length };
    }
  }
  return { raw, version, headers, body, keepAlive: keepAlive(version, headers), status, reason, interim };
}

export function header(headers: ReadonlyArray<[string, string]>, name: string): string | undefined {
  return headers.find(([key]) => key === name)?.[1];
}

function splitHead(raw: Buffer): { startLine: string; headers: Array<[string, string]> } {
  const lines = raw.toString("latin1").split("\r\n");
  const startLine = lines[0] ?? "";
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw new FramingError(`bad header line "${line.slice(0, 80)}"`);
    headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers };
}

function lastCoding(headers: ReadonlyArray<[string, string]>): string | undefined {
  const codings = headers
    .filter(([key]) => key === "transfer-encoding")
    .flatMap(([, value]) => value.split(","))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "");
  return codings.at(-1);
}

function contentLength(headers: ReadonlyArray<[string, string]>): number | undefined {
  const values = new Set(
    headers.filter(([key]) => key === "content-length").flatMap(([, value]) => value.split(",").map((v) => v.trim())),
  );
  if (values.size === 0) return undefined;
  // Disagreeing lengths are how request smuggling works; refuse rather than guess (RFC 9112 §6.3).
  const [only] = values;
  if (values.size > 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new FramingError(`bad content-length "${[...values].join(", ")}"`);
  }
  return Number(only);
}

function keepAlive(version: string, headers: ReadonlyArray<[string, string]>): boolean {
  const tokens = headers
    .filter(([key]) => key === "connection")
    .flatMap(([, value]) => value.toLowerCase().split(","))
    .map((token) => token.trim());
  if (tokens.includes("close")) return false;
  return version === "1.1" || tokens.includes("keep-alive");
}

function parseChunkSize(line: string): number {
  const match = /^([0-9A-Fa-f]{1,12})[ \t]*(;.*)?$/.exec(line);
  if (!match?.[1]) throw new FramingError(`bad chunk size line "${line.slice(0, 40)}"`);
  return Number.parseInt(match[1], 16);
}

function pathOf(target: string): string {
  if (target.startsWith("/")) return target.split(/[?#]/, 1)[0] ?? target;
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}
