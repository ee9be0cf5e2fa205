// The answers the proxy makes up itself for the `http` and `garbage` faults, without asking the server.
import { STATUS_CODES } from "node:http";

/** The whole answer for `http <status>`, its body in the retail server's error shape (SPEC §9). */
export function injectedStatus(status: number): Buffer {
  const reason = STATUS_CODES[status] ?? "Injected";
  const bodyless = status === 204 || status === 205 || status === 304;
  const body = bodyless
    ? ""
    : JSON.stringify({ error: { code: "InjectedFault", message: `fault proxy answered ${status} ${reason}` } });
  return answer(`${status} ${reason}`, body, "http");
}

export function garbageAnswer(): Buffer {
  return answer("200 OK", '{"injected": "garbage", "items": [1, 2, <<not json>>', "garbage");
}

function answer(statusLine: string, body: string, fault: string): Buffer {
  const head = [
    `HTTP/1.1 ${statusLine}`,
    "content-type: application/json; charset=utf-8",
    `content-length: ${Buffer.byteLength(body)}`,
    `x-pos-fault: ${fault}`,
    "connection: keep-alive",
  ];
  return Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`);
}
