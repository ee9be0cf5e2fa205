import { describe, expect, it } from "vitest";
import {
  type FaultSpec,
  faultMatchesPath,
  formatFault,
  isUnlimited,
  parseFault,
  parseFaultWords,
  toFaultSpec,
} from "../../../src/faults/fault-spec.js";
import { UsageError } from "../../../src/lib/errors.js";

describe("parseFault", () => {
  it.each<[string, FaultSpec]>([
    ["none", { kind: "none" }],
    ["refuse", { kind: "refuse" }],
    ["  BLACKHOLE ", { kind: "blackhole" }],
    ["stall", { kind: "stall" }],
    ["latency 200", { kind: "latency", ms: 200 }],
    ["latency 1.5s", { kind: "latency", ms: 1500 }],
    ["latency 0", { kind: "latency", ms: 0 }],
    ["http 503", { kind: "http", status: 503 }],
    ["reset", { kind: "reset" }],
    ["garbage", { kind: "garbage" }],
    ["lost-ack", { kind: "lost-ack" }],
    ["http 503 times=2", { kind: "http", status: 503, times: 2 }],
    ["lost-ack path=/v1/transactions", { kind: "lost-ack", path: "/v1/transactions" }],
    ["latency 300 jitter=100", { kind: "latency", ms: 300, jitter: 100 }],
    ["latency 300 --jitter 100 --direction up", { kind: "latency", ms: 300, jitter: 100, direction: "up" }],
    ["bandwidth 256", { kind: "bandwidth", kbps: 256 }],
    ["bandwidth 0.5 direction=up", { kind: "bandwidth", kbps: 0.5, direction: "up" }],
    ["slicer 1", { kind: "slicer", bytes: 1 }],
    ["slicer 64 delay=5ms", { kind: "slicer", bytes: 64, delay: 5 }],
    ["limit-data 2MB times=2", { kind: "limit-data", bytes: 2 * 1024 * 1024, times: 2 }],
    ["limit-data 512KB", { kind: "limit-data", bytes: 512 * 1024 }],
    ["slow-close 1s", { kind: "slow-close", ms: 1000 }],
    ["reset probability=0.02", { kind: "reset", probability: 0.02 }],
    ["lost-ack --probability 5%", { kind: "lost-ack", probability: 0.05 }],
  ])("%j", (text, expected) => {
    expect(parseFault(text)).toEqual(expected);
  });

  it("takes times and path from options over the text", () => {
    expect(parseFault("http 502 times=5", { times: 1, path: "/v1/health" })).toEqual({
      kind: "http",
      status: 502,
      times: 1,
      path: "/v1/health",
    });
  });

  it.each([
    ["bogus", /unknown fault "bogus"/],
    ["", /unknown fault ""/],
    ["latency", /"latency" needs one ms value/],
    ["latency fast", /latency must be milliseconds, got "fast"/],
    ["latency 9999999", /ms/],
    ["http", /"http" needs one status value/],
    ["http abc", /http status must be 200–599, got "abc"/],
    ["http 700", /status/],
    ["refuse now", /takes no value \(got "now"\)/],
    ["reset times=0", /times must be a positive whole number, got "0"/],
    ["reset path=v1", /path must start with \//],
    ["none times=2", /bad fault "none times=2"/],
    ["bandwidth", /"bandwidth" needs one KB\/s value, e.g. "bandwidth 256"/],
    ["bandwidth fast", /bandwidth must be KB\/s/],
    ["slicer 0", /bytes/],
    ["limit-data lots", /bytes must be a size such as 4096, 512KB or 2MB, got "lots"/],
    ["reset probability=1.5", /probability must be 0..1/],
    ["reset direction=up", /direction does not apply to this fault/],
    ["http 503 jitter=5", /jitter does not apply to this fault/],
    ["latency 300 direction=sideways", /direction must be up or down, got "sideways"/],
    ["latency 300 --bogus 1", /unknown option --bogus/],
    ["latency 300 --jitter", /--jitter needs a value/],
  ])("%j is a UsageError naming the value", (text, message) => {
    const attempt = () => parseFault(text);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});

describe("formatFault", () => {
  it.each([
    "none",
    "refuse",
    "latency 250",
    "http 503 times=2",
    "stall path=/v1/transactions",
    "lost-ack times=1 path=/v1",
    "latency 300 jitter=50 direction=up probability=0.5 times=3",
    "bandwidth 256",
    "slicer 1 delay=2",
    "limit-data 1048576 times=2 path=/v1/sync",
    "slow-close 500",
  ])("%j reads back to the same spec", (text) => {
    const spec = parseFault(text);
    expect(formatFault(spec)).toBe(text);
    expect(parseFault(formatFault(spec))).toEqual(spec);
  });
});

describe("toFaultSpec", () => {
  it.each<[unknown, FaultSpec]>([
    ["http 504", { kind: "http", status: 504 }],
    [
      { kind: "latency", ms: 10 },
      { kind: "latency", ms: 10 },
    ],
    [
      { fault: "http 503", times: 2 },
      { kind: "http", status: 503, times: 2 },
    ],
    [
      { fault: "reset", path: "/v1/x" },
      { kind: "reset", path: "/v1/x" },
    ],
  ])("%j", (input, expected) => {
    expect(toFaultSpec(input)).toEqual(expected);
  });

  it.each([[{ kind: "nope" }], [{ kind: "http" }], [{ kind: "none", times: 1 }], [42], [null], [{ fault: 3 }]])(
    "%j is rejected",
    (input) => {
      expect(() => toFaultSpec(input)).toThrow(UsageError);
    },
  );
});

describe("faultMatchesPath", () => {
  const spec = parseFault("reset path=/v1/transactions");
  it.each([
    ["/v1/transactions", true],
    ["/v1/transactions/upload", true],
    ["/v1/transactionsX", false],
    ["/v1/health", false],
    ["/", false],
  ])("%s → %s", (path, expected) => {
    expect(faultMatchesPath(spec, path)).toBe(expected);
  });

  it.each([
    ["/v1/sync/sessions/12/package", true],
    ["/v1/sync/sessions/12/status", false],
    ["/v1/sync/sessions", false],
  ])("a * segment matches any one segment: %s → %s", (path, expected) => {
    expect(faultMatchesPath(parseFault("limit-data 1 path=/v1/sync/sessions/*/package"), path)).toBe(expected);
  });

  it("a fault without path matches everything", () => {
    expect(faultMatchesPath(parseFault("reset"), "/anything")).toBe(true);
  });
});

describe("isUnlimited", () => {
  it.each([
    ["refuse", true],
    ["none", true],
    ["refuse times=1", false],
    ["stall path=/v1", false],
    ["refuse probability=0.5", false],
  ])("%s → %s", (text, expected) => {
    expect(isUnlimited(parseFault(text))).toBe(expected);
  });
});

describe("parseFaultWords", () => {
  it("reads faults joined by + as a stack, none as the empty stack", () => {
    expect(parseFaultWords(["latency", "300", "+", "http", "503", "times=1"])).toEqual([
      { kind: "latency", ms: 300 },
      { kind: "http", status: 503, times: 1 },
    ]);
    expect(parseFaultWords(["none"])).toEqual([]);
  });
});
