import { describe, expect, it } from "vitest";
import { escapeAttribute, escapeText, toJUnit } from "../../../src/replay/junit.js";
import { type ReplayReport, type StepRecord, summarize } from "../../../src/replay/report.js";

function step(overrides: Partial<StepRecord>): StepRecord {
  return {
    step: 1,
    kind: "sale",
    label: "sale (1 line)",
    mode: "online",
    total: 11.02,
    elapsedMs: 12.5,
    result: "pass",
    expected: {},
    actual: {},
    message: null,
    switches: [],
    testCase: true,
    ...overrides,
  };
}

function report(steps: StepRecord[]): ReplayReport {
  return {
    format: "pos-replay/1",
    seed: 1,
    faults: {},
    file: "scenarios/x.yaml",
    name: "x",
    source: "scenario",
    register: "SEA01-R1",
    server: "embedded",
    currency: "USD",
    startedAt: "2026-01-05T09:00:00.123Z",
    elapsedMs: 1234.6,
    steps,
    summary: summarize(steps),
  };
}

describe("escaping", () => {
  it.each([
    ["a & b", "a &amp; b"],
    ["<tag>", "&lt;tag&gt;"],
    ["]]>", "]]&gt;"],
    ["bell\u0007 nul\u0000", "bell\uFFFD nul\uFFFD"],
    ["tab\tline\nreturn\r", "tab\tline\nreturn\r"],
    ["lone \uD800 surrogate", "lone \uFFFD surrogate"],
    ["pair 😀", "pair 😀"],
    ["\uFFFE\uFFFF", "\uFFFD\uFFFD"],
  ])("text %j", (input, output) => {
    expect(escapeText(input)).toBe(output);
  });

  it.each([
    [`say "hi" & 'bye'`, "say &quot;hi&quot; &amp; &apos;bye&apos;"],
    ["two\nlines\tand tab", "two&#10;lines&#9;and tab"],
    ["<x>", "&lt;x&gt;"],
  ])("attribute %j", (input, output) => {
    expect(escapeAttribute(input)).toBe(output);
  });
});

describe("toJUnit", () => {
  const steps = [
    step({ step: 1, line: 8, name: 'online sale "31.96" <cash>', transaction: "SEA01-R1-000001", status: "stored" }),
    step({ step: 2, kind: "fault", label: "fault blackhole", total: null, testCase: false }),
    step({
      step: 3,
      line: 14,
      mode: "offline-auto",
      result: "fail",
      expected: { mode: "online" },
      actual: { mode: "offline-auto" },
      message: "mode: expected online, actual offline-auto",
      switches: ["online → offline-auto: server did not answer in 0.3 s"],
    }),
    step({
      step: 4,
      kind: "op",
      label: "op sync push",
      total: null,
      result: "fail",
      actual: { error: "ServerUnreachable", message: "server unreachable & gone" },
      message: "ServerUnreachable (server unreachable & gone)",
    }),
  ];
  const xml = toJUnit(report(steps), "ci-host");

  it("has one testsuites and one testsuite with counts and time", () => {
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="pos replay" tests="3" failures="2" errors="0" skipped="0" time="1.235">',
      ),
    ).toBe(true);
    expect(xml).toContain(
      '<testsuite name="x" tests="3" failures="2" errors="0" skipped="0" time="1.235" timestamp="2026-01-05T09:00:00" hostname="ci-host" file="scenarios/x.yaml">',
    );
    expect(xml.trimEnd().endsWith("</testsuites>")).toBe(true);
    expect(xml).toContain('<property name="register" value="SEA01-R1"/>');
  });

  it("makes a test case of each sale, operation and expectation, not of set-up steps that passed", () => {
    const cases = [...xml.matchAll(/<testcase name="([^"]*)"/g)].map((m) => m[1]);
    expect(cases).toEqual([
      "step 1: online sale &quot;31.96&quot; &lt;cash&gt;",
      "step 3: sale (1 line)",
      "step 4: op sync push",
    ]);
    expect(xml).toContain('classname="pos.replay.x" time="0.013" file="scenarios/x.yaml" line="8"');
  });

  it("records a failure with the expected/actual message, escaped", () => {
    expect(xml).toContain('<failure message="mode: expected online, actual offline-auto" type="ExpectationFailed">');
    expect(xml).toContain(
      '<failure message="ServerUnreachable (server unreachable &amp; gone)" type="ServerUnreachable">',
    );
    expect(xml).toContain("switched: online → offline-auto: server did not answer in 0.3 s");
    expect(xml).toContain("transaction: SEA01-R1-000001 (stored)");
    // Every element opened is closed, in order.
    const stack: string[] = [];
    for (const [, close, name, selfClosing] of xml.matchAll(/<(\/?)([a-z-]+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (close) expect(stack.pop()).toBe(name);
      else stack.push(name ?? "");
    }
    expect(stack).toEqual([]);
  });

  it("counts an empty run", () => {
    expect(toJUnit(report([]), "h")).toContain('tests="0" failures="0"');
  });
});
