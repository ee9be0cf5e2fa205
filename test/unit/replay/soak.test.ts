import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/lib/errors.js";
import { parseFaultMix, type SoakResult, verdictRecord } from "../../../src/replay/soak.js";

describe("parseFaultMix", () => {
  it("reads fault:probability entries into stacked faults", () => {
    expect(parseFaultMix("reset:0.02, latency 300:0.1,lost-ack:1%")).toEqual([
      { kind: "reset", probability: 0.02 },
      { kind: "latency", ms: 300, probability: 0.1 },
      { kind: "lost-ack", probability: 0.01 },
    ]);
  });

  it.each([
    ["", /expected fault:probability entries/],
    ["reset", /needs a probability/],
    ["latency 300:x", /probability must be 0..1/],
    ["latency:0.1", /needs one ms value/],
  ])("%j is a UsageError", (text, message) => {
    expect(() => parseFaultMix(text)).toThrow(UsageError);
    expect(() => parseFaultMix(text)).toThrow(message);
  });
});

describe("verdictRecord", () => {
  const clean: SoakResult = {
    repeat: 2,
    mix: "reset probability=0.1",
    sales: 4,
    completed: 4,
    pushRounds: 2,
    pushFailures: 0,
    pending: 0,
    onServer: 4,
    lost: 0,
    duplicated: 0,
    registerTotal: 40,
    serverTotal: 40,
    totalsEqual: true,
    lostIds: [],
    duplicatedIds: [],
  };

  it("passes when every receipt is at the server once and totals agree", () => {
    expect(verdictRecord(clean, 5, "online")).toMatchObject({ result: "pass", testCase: true, message: null });
  });

  it("fails naming what was lost, what is unexplained and the totals", () => {
    const record = verdictRecord(
      {
        ...clean,
        onServer: 3,
        lost: 1,
        lostIds: ["SEA01-R1-000004"],
        duplicated: 1,
        duplicatedIds: ["SEA01-R1-000009"],
        serverTotal: 30,
        totalsEqual: false,
      },
      5,
      "online",
    );
    expect(record.result).toBe("fail");
    expect(record.actual).toEqual({ lost: 1, duplicated: 1, totalsEqual: false });
    expect(record.message).toBe(
      "lost SEA01-R1-000004; not accounted for SEA01-R1-000009; register total 40, server 30",
    );
  });
});
