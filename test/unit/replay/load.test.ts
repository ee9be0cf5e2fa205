import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/lib/errors.js";
import { isJournal, parseJournal, parseScenario } from "../../../src/replay/load.js";

const HEAD = `register: SEA01-R1
staff: { id: "000160", password: "1234" }
steps:
`;

/** A scenario whose steps start on line 4. */
function scenario(steps: string): string {
  return HEAD + steps;
}

function errorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("parseScenario", () => {
  it("reads the SPEC §7 example", () => {
    const s = parseScenario(
      scenario(`  - sale: { lines: [ { item: "1001", qty: 2 }, { barcode: "4006381333931" } ],
            pay: [ { tender: cash, amount: 50 } ],
            expect: { mode: online, total: 31.96 } }
  - fault: blackhole
  - wait: 2m
  - op: 917
  - op: sync pull
  - sync: push
  - expect: { pendingUpload: 0, serverHas: 3 }
`),
      "scenarios/example.yaml",
    );
    expect(s.name).toBe("example");
    expect(s.steps.map((step) => step.kind)).toEqual(["sale", "fault", "wait", "op", "op", "op", "expect"]);
    expect(s.steps.map((step) => step.line)).toEqual([4, 7, 8, 9, 10, 11, 12]);
    const sale = s.steps[0];
    expect(sale?.kind === "sale" && sale.sale.lines).toEqual([
      { code: "1001", qty: 2 },
      { code: "4006381333931", qty: 1 },
    ]);
    expect(s.steps[2]).toMatchObject({ kind: "wait", ms: 120_000, text: "2m" });
    expect(s.steps.slice(3, 6).map((step) => step.kind === "op" && step.op)).toEqual(["917", "sync pull", "sync push"]);
  });

  it("schedules faults inside a sale by line or at checkout, in either form", () => {
    const s = parseScenario(
      scenario(`  - sale:
      lines: [{ item: 1001 }, { barcode: 4006381333931, qty: 2, discount: 12.5 }, { item: "1003", void: true }]
      at: [{ line: 2, fault: blackhole }, { checkout: true, fault: "http 503", times: 2 }]
      pay: [{ tender: card }]
  - sale:
      lines: [{ item: "1001" }]
      fault: { fault: lost-ack, times: 1, path: /v1/transactions, at: checkout }
      pay: [{ tender: card }]
`),
      "x.yaml",
    );
    const [first, second] = s.steps;
    expect(first?.kind === "sale" && first.sale).toMatchObject({
      lines: [
        { code: "1001", qty: 1 },
        { code: "4006381333931", qty: 2, discount: 12.5 },
        { code: "1003", void: true },
      ],
      faults: [
        { before: 2, fault: { kind: "blackhole" } },
        { before: "checkout", fault: { kind: "http", status: 503, times: 2 } },
      ],
    });
    expect(second?.kind === "sale" && second.sale.faults).toEqual([
      { before: "checkout", fault: { kind: "lost-ack", times: 1, path: "/v1/transactions" } },
    ]);
  });

  it("converts profile durations to the field's unit and reads JSON with line numbers", () => {
    const json = `{
  "register": "SEA01-R1",
  "staff": { "id": "000160", "password": "1234" },
  "profile": { "timeoutInterval": "300ms", "reconnectInterval": "90s", "healthCheckInterval": 2 },
  "steps": [
    { "wait": "24h" },
    { "sale": { "lines": [ { "item": "1001", "qty": 0 } ], "pay": [ { "tender": "card" } ] } }
  ]
}`;
    expect(errorOf(() => parseScenario(json, "s.json")).message).toBe(
      "s.json: step 2 (line 7): sale.lines[0].qty: expected a whole number > 0",
    );
    const s = parseScenario(json.replace('"qty": 0', '"qty": 1'), "s.json");
    expect(s.profile).toEqual({ timeoutInterval: 0.3, reconnectInterval: 1.5, healthCheckInterval: 2 });
    expect(s.steps[0]).toMatchObject({ kind: "wait", ms: 86_400_000 });
  });

  it("lets --register and --staff override the file", () => {
    const s = parseScenario(scenario("  - wait: 1s\n"), "x.yaml", {
      register: "TYO01-R1",
      staff: { id: "000260", password: "p" },
    });
    expect(s.register).toBe("TYO01-R1");
    expect(s.staff.id).toBe("000260");
  });

  it.each([
    [
      "qty zero",
      '  - wait: 1m\n  - wait: 2m\n  - sale:\n      lines:\n        - item: "1001"\n          qty: 0\n      pay: [{tender: card}]\n',
      "step 3 (line 9): sale.lines[0].qty: expected a whole number > 0",
    ],
    [
      "qty not whole",
      '  - sale: { lines: [{ item: "1001", qty: 1.5 }], pay: [{tender: card}] }\n',
      "step 1 (line 4): sale.lines[0].qty: expected a whole number > 0",
    ],
    [
      "qty text",
      '  - sale: { lines: [{ item: "1001", qty: two }], pay: [{tender: card}] }\n',
      "step 1 (line 4): sale.lines[0].qty: expected a whole number > 0",
    ],
    [
      "no item or barcode",
      "  - sale: { lines: [{ qty: 1 }], pay: [{tender: card}] }\n",
      "step 1 (line 4): sale.lines[0]: needs item or barcode",
    ],
    [
      "item and barcode",
      '  - sale: { lines: [{ item: "1", barcode: "4006381333931" }], pay: [{tender: card}] }\n',
      "step 1 (line 4): sale.lines[0]: give item or barcode, not both",
    ],
    [
      "no lines",
      "  - sale: { lines: [], pay: [{tender: card}] }\n",
      "step 1 (line 4): sale.lines: a sale needs at least one line",
    ],
    [
      "no pay",
      '  - sale: { lines: [{ item: "1" }] }\n',
      "step 1 (line 4): sale.pay: missing (expected a list of tenders",
    ],
    [
      "unknown sale field",
      '  - sale:\n      lines: [{ item: "1" }]\n      pay: [{tender: card}]\n      tip: 5\n',
      "step 1 (line 7): sale.tip: unknown field",
    ],
    [
      "bad discount",
      '  - sale: { lines: [{ item: "1", discount: 150 }], pay: [{tender: card}] }\n',
      "step 1 (line 4): sale.lines[0].discount: expected a percent from 0 to 100",
    ],
    [
      "discount decimals",
      '  - sale: { lines: [{ item: "1", discount: 1.234 }], pay: [{tender: card}] }\n',
      "step 1 (line 4): sale.lines[0].discount: expected at most two decimals",
    ],
    [
      "bad amount",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: cash, amount: -5}] }\n',
      "step 1 (line 4): sale.pay[0].amount: expected a positive amount",
    ],
    [
      "bad expected mode",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: card}], expect: { mode: sideways } }\n',
      "step 1 (line 4): sale.expect.mode: expected online, offline, offline-auto or offline-manual",
    ],
    [
      "bad expected status",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: card}], expect: { status: lost } }\n',
      "step 1 (line 4): sale.expect.status: expected stored, pending or duplicate",
    ],
    [
      "fault past the lines",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: card}], at: [{ line: 2, fault: refuse }] }\n',
      "step 1 (line 4): sale.at[0].line: line 2 is past the sale's 1 line(s)",
    ],
    [
      "fault line and checkout",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: card}], at: [{ line: 1, checkout: true, fault: refuse }] }\n',
      "step 1 (line 4): sale.at[0]: give line: n or checkout: true",
    ],
    [
      "bad scheduled fault",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: card}], fault: { fault: melt, at: checkout } }\n',
      'step 1 (line 4): sale.fault.fault: unknown fault "melt"',
    ],
    ["unknown fault", "  - wait: 1m\n  - fault: teleport\n", 'step 2 (line 5): fault: unknown fault "teleport"'],
    ["fault without its value", "  - fault: latency\n", 'step 1 (line 4): fault: fault "latency" needs one ms value'],
    ["fault times", "  - fault: { fault: refuse, times: 0 }\n", "step 1 (line 4): fault: bad fault refuse: times"],
    [
      "bad duration",
      "  - wait: forever\n",
      'step 1 (line 4): wait: expected a duration such as 2m, 30s or 24h, got "forever"',
    ],
    ["unknown op", "  - op: 918\n", "step 1 (line 4): op: expected 917, connect, disconnect"],
    ["unknown op text", "  - op: sync sideways\n", 'step 1 (line 4): op: unknown op "sync sideways"'],
    ["bad sync", "  - sync: both\n", "step 1 (line 4): sync: expected pull or push"],
    ["unknown step", "  - teleport: 1\n", 'step 1 (line 4): teleport: unknown step "teleport"'],
    [
      "two actions",
      "  - { wait: 1m, fault: none }\n",
      "step 1 (line 4): fault: a step does one thing: found wait and fault (split it)",
    ],
    [
      "expect beside a sale",
      '  - sale: { lines: [{ item: "1" }], pay: [{tender: card}] }\n    expect: { mode: online }\n',
      "step 1 (line 5): expect: sale takes no expect beside it (put it inside sale)",
    ],
    ["not an object", "  - just text\n", "step 1 (line 4): (root): expected a step such as"],
    [
      "bad state expectation",
      "  - expect: { serverHas: -1 }\n",
      "step 1 (line 4): expect.serverHas: expected a whole number ≥ 0",
    ],
    ["unknown expectation", "  - expect: { vibes: good }\n", "step 1 (line 4): expect.vibes: unknown field"],
    [
      "bad op expectation",
      "  - op: sync push\n    expect: { result: great }\n",
      "step 1 (line 5): expect.result: expected ok, failed or nothing",
    ],
    ["signin without password", '  - signin: { id: "000161" }\n', "step 1 (line 4): signin.password: missing"],
  ])("%s", (_name, steps, message) => {
    const error = errorOf(() => parseScenario(scenario(steps), "scenarios/bad.yaml"));
    expect(error.message).toContain(`scenarios/bad.yaml: ${message}`);
    expect(error.exitCode).toBe(2);
  });

  it.each([
    [
      "unquoted staff id",
      'register: SEA01-R1\nstaff: { id: 000160, password: "1" }\nsteps: [ {wait: 1s} ]\n',
      "x.yaml: line 2: staff.id: expected a staff id as text (quote it",
    ],
    [
      "bad register",
      'register: SEA01\nstaff: { id: "1", password: "1" }\nsteps: [ {wait: 1s} ]\n',
      "x.yaml: line 1: register: expected <store>-<register>",
    ],
    [
      "no steps",
      'register: SEA01-R1\nstaff: { id: "1", password: "1" }\nsteps: []\n',
      "x.yaml: line 3: steps: expected at least one step",
    ],
    ["missing staff", "register: SEA01-R1\nsteps: [ {wait: 1s} ]\n", "x.yaml: line 1: staff: missing"],
    [
      "unknown top-level field",
      'register: SEA01-R1\nstaff: { id: "1", password: "1" }\nspeed: 11\nsteps: [ {wait: 1s} ]\n',
      "x.yaml: line 3: speed: unknown field",
    ],
    [
      "bad profile",
      'register: SEA01-R1\nstaff: { id: "1", password: "1" }\nprofile:\n  timeoutInterval: soon\nsteps: [ {wait: 1s} ]\n',
      "x.yaml: line 4: profile.timeoutInterval: expected a duration",
    ],
    [
      "profile zero timeout",
      'register: SEA01-R1\nstaff: { id: "1", password: "1" }\nprofile: { timeoutInterval: 0 }\nsteps: [ {wait: 1s} ]\n',
      "profile.timeoutInterval: expected more than 0 seconds",
    ],
    ["YAML syntax", "register: [SEA01\nstaff: 1\n", "x.yaml: line 2, column 1: not valid YAML/JSON"],
    [
      "duplicate key",
      'register: SEA01-R1\nregister: SEA01-R2\nstaff: { id: "1", password: "1" }\nsteps: [ {wait: 1s} ]\n',
      "x.yaml: line 2, column 1: not valid YAML/JSON: Map keys must be unique",
    ],
  ])("header: %s", (_name, text, message) => {
    expect(errorOf(() => parseScenario(text, "x.yaml")).message).toContain(message);
  });
});

describe("parseJournal", () => {
  const sale = (extra = "") =>
    `{"lines":[{"item":"1001","qty":2}],"pay":[{"tender":"card","amount":22.04}],"expect":{"total":22.04},"ref":"SEA01-R1-000007","at":"2026-01-05T09:00:00.000Z"${extra}}`;

  it("reads one sale a line, skipping blank lines, and takes the register from the first ref", () => {
    const s = parseJournal(`${sale()}\n\n${sale()}\n`, "j.ndjson");
    expect(s.source).toBe("journal");
    expect(s.register).toBe("SEA01-R1");
    expect(s.staff).toEqual({ id: "000160", password: "1234" });
    expect(s.steps.map((step) => [step.number, step.line])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(s.steps[0]).toMatchObject({
      kind: "sale",
      sale: { ref: "SEA01-R1-000007", recordedAt: "2026-01-05T09:00:00.000Z", expect: { total: 22.04 } },
    });
  });

  it.each([
    ["not JSON", `${sale()}\n{"lines": [`, "j.ndjson: line 2: not valid JSON"],
    [
      "bad field",
      `${sale()}\n${sale()}\n${sale().replace('"qty":2', '"qty":-2')}`,
      "j.ndjson: line 3: lines[0].qty: expected a whole number > 0",
    ],
    ["unknown field", sale(',"tip":1'), "j.ndjson: line 1: tip: unknown field"],
    ["bad time", sale().replace("2026-01-05T09:00:00.000Z", "yesterday"), "j.ndjson: line 1: at: expected an ISO time"],
    ["empty", "\n\n", "j.ndjson: the journal has no sales"],
    ["no register", sale().replace('"ref":"SEA01-R1-000007",', ""), "name one with --register"],
  ])("%s", (_name, text, message) => {
    expect(errorOf(() => parseJournal(text, "j.ndjson")).message).toContain(message);
  });

  it("tells a journal from a scenario", () => {
    expect(isJournal("a.ndjson", "")).toBe(true);
    expect(isJournal("a.yaml", sale())).toBe(false);
    expect(isJournal("a.txt", `${sale()}\n`)).toBe(true);
    expect(isJournal("a.txt", HEAD)).toBe(false);
  });
});
