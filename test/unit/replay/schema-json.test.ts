import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FAULT_KINDS } from "../../../src/faults/fault-spec.js";
import { scenarioJsonSchema } from "../../../src/replay/schema-json.js";

const dir = new URL("../../../scenarios/", import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
const validate = new Ajv2020({ strict: false, validateFormats: false, allErrors: true }).compile(scenarioJsonSchema());

const HEADER = { name: "t", register: "SEA01-R1", staff: { id: "000160", password: "1234" } };

describe("the emitted JSON Schema", () => {
  it("has every scenario in scenarios/ to check", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)("accepts scenarios/%s", (file) => {
    const data = parse(readFileSync(join(dir, file), "utf8")) as unknown;
    const ok = validate(data);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each<[string, unknown]>([
    ["a misspelt expectation", { expect: { mdoe: "online" } }],
    ["an unknown fault", { fault: "blakhole" }],
    ["an unknown step", { sael: { lines: [{ item: "1001" }], pay: [{ tender: "cash" }] } }],
    ["an unknown op", { op: "sync pul" }],
    ["a quantity as text", { sale: { lines: [{ item: "1001", qty: "two" }], pay: [{ tender: "cash" }] } }],
  ])("rejects %s", (_label, step) => {
    expect(validate({ ...HEADER, steps: [step] })).toBe(false);
  });

  it("accepts both fault forms and op 917", () => {
    const steps = [{ fault: "http 503 times=2" }, { fault: { fault: "stall", path: "/v1/x" } }, { op: 917 }];
    expect(validate({ ...HEADER, steps })).toBe(true);
  });
});

describe("docs/scenarios.md", () => {
  const doc = readFileSync(new URL("../../../docs/scenarios.md", import.meta.url), "utf8");
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node && typeof node === "object") {
      const props = (node as { properties?: Record<string, unknown> }).properties;
      if (props) for (const key of Object.keys(props)) names.add(key);
      for (const value of Object.values(node)) walk(value);
    }
  };
  walk(scenarioJsonSchema());
  names.delete("$schema");

  it.each([...names].sort())("documents the field %s", (name) => {
    expect(doc).toMatch(new RegExp(`\`${name}[\`:\\[ ]`));
  });

  it.each([...FAULT_KINDS])("documents the fault %s with an example", (kind) => {
    expect(doc).toContain(`fault: ${kind}`);
  });
});
