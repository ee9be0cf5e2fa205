import { describe, expect, it } from "vitest";
import {
  createRequestFramer,
  createResponseFramer,
  FramingError,
  type FramingEvent,
  type HttpFramer,
  type MessageHead,
  parseRequestHead,
  parseResponseHead,
} from "../../../src/faults/http-framing.js";

interface Message {
  head: string;
  body: string;
}

/** Feeds `wire` in pieces of `step` bytes and reassembles complete messages; head + body must equal the wire bytes. */
function frame<H extends MessageHead>(framer: HttpFramer<H>, wire: string, step: number): Message[] {
  const bytes = Buffer.from(wire, "latin1");
  const events: Array<FramingEvent<H>> = [];
  for (let i = 0; i < bytes.length; i += step) events.push(...framer.push(bytes.subarray(i, i + step)));
  events.push(...framer.finish());
  const messages: Message[] = [];
  let current: Message | undefined;
  for (const event of events) {
    if (event.type === "head") current = { head: event.head.raw.toString("latin1"), body: "" };
    else if (event.type === "body" && current) current.body += event.data.toString("latin1");
    else if (event.type === "end" && current) {
      messages.push(current);
      current = undefined;
    }
  }
  return messages;
}

const GET = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
const POST = "POST /v1/transactions?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
const CHUNKED_HEAD = "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
const CHUNKED_BODY = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

describe("request framing", () => {
  it.each([1, 2, 3, 7, 1000])("splits keep-alive requests at every %i bytes", (step) => {
    const wire = GET + POST + CHUNKED_HEAD + CHUNKED_BODY + GET;
    const messages = frame(createRequestFramer(), wire, step);
    expect(messages.map((m) => m.head + m.body).join("")).toBe(wire);
    expect(messages.map((m) => m.body)).toEqual(["", "hello world", CHUNKED_BODY, ""]);
  });

  it.each([
    ["GET /v1/health HTTP/1.1", "GET", "/v1/health", true],
    ["POST /v1/transactions?store=SEA01 HTTP/1.1", "POST", "/v1/transactions", true],
    ["GET http://127.0.0.1:7100/v1/x?y HTTP/1.1", "GET", "/v1/x", true],
    ["GET / HTTP/1.0", "GET", "/", false],
  ])("%s → %s %s keepAlive=%s", (line, method, path, keepAlive) => {
    const head = parseRequestHead(Buffer.from(`${line}\r\nHost: x\r\n\r\n`));
    expect([head.method, head.path, head.keepAlive]).toEqual([method, path, keepAlive]);
  });

  it.each([
    ["Connection: close", false],
    ["Connection: keep-alive", true],
    ["Expect: 100-continue", true],
  ])("header %s → keepAlive %s", (line, keepAlive) => {
    const head = parseRequestHead(Buffer.from(`PUT /a HTTP/1.1\r\n${line}\r\n\r\n`));
    expect(head.keepAlive).toBe(keepAlive);
    expect(head.expectContinue).toBe(line.startsWith("Expect"));
  });

  it("skips stray blank lines between requests", () => {
    const messages = frame(createRequestFramer(), `${GET}\r\n${GET}`, 5);
    expect(messages).toHaveLength(2);
  });

  it.each([
    ["not http at all\r\n\r\n", /bad request line/],
    ["GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", /bad content-length/],
    ["GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", /bad content-length/],
    ["GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", /unsupported transfer-encoding/],
    ["GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", /bad header line/],
    [`${CHUNKED_HEAD}zz\r\n`, /bad chunk size/],
    [`GET / HTTP/1.1\r\nX: ${"a".repeat(70_000)}`, /longer than/],
  ])("rejects %#", (wire, message) => {
    expect(() => createRequestFramer().push(Buffer.from(wire))).toThrow(FramingError);
    expect(() => createRequestFramer().push(Buffer.from(wire))).toThrow(message);
  });

  it("is idle only between messages", () => {
    const framer = createRequestFramer();
    framer.push(Buffer.from(POST.slice(0, 30)));
    expect(framer.idle).toBe(false);
    framer.push(Buffer.from(POST.slice(30)));
    expect(framer.idle).toBe(true);
  });
});

describe("response framing", () => {
  const ok = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  it.each([1, 4, 1000])("splits keep-alive responses at every %i bytes", (step) => {
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    const wire = ok("{}") + chunked + ok("");
    const messages = frame(
      createResponseFramer(() => "GET"),
      wire,
      step,
    );
    expect(messages.map((m) => m.head + m.body).join("")).toBe(wire);
    expect(messages.map((m) => m.body)).toEqual(["{}", "3\r\nabc\r\n0\r\n\r\n", ""]);
  });

  it.each([
    ["HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", "none"],
    ["GET", "HTTP/1.1 204 No Content\r\n\r\n", "none"],
    ["GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", "none"],
    ["GET", "HTTP/1.1 100 Continue\r\n\r\n", "none"],
    ["GET", "HTTP/1.1 200 OK\r\n\r\n", "until-close"],
    ["GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "chunked"],
    ["GET", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n", "length"],
  ])("%s answered by %j has body %s", (method, wire, kind) => {
    expect(parseResponseHead(Buffer.from(wire), method).body.kind).toBe(kind);
  });

  it("marks 1xx answers as interim", () => {
    const head = parseResponseHead(Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"), "POST");
    expect([head.status, head.interim]).toEqual([100, true]);
  });

  it("ends a body delimited by the connection closing", () => {
    const messages = frame(
      createResponseFramer(() => "GET"),
      "HTTP/1.0 200 OK\r\n\r\nall of it",
      3,
    );
    expect(messages).toEqual([{ head: "HTTP/1.0 200 OK\r\n\r\n", body: "all of it" }]);
  });

  it("drops a message cut short by the close", () => {
    expect(
      frame(
        createResponseFramer(() => "GET"),
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        100,
      ),
    ).toEqual([]);
  });

  it("rejects a bad status line", () => {
    expect(() => createResponseFramer(() => "GET").push(Buffer.from("HTTP/1.1 OK\r\n\r\n"))).toThrow(/bad status line/);
  });
});
