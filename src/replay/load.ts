// Reads a scenario (YAML or JSON) or a sales journal (NDJSON) into steps; a malformed file names file, step, line and field.

import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { type Document, isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { FaultSpec } from "../faults/fault-spec.js";
import { formatPath, UsageError } from "../lib/errors.js";
import { didYouMean } from "../lib/suggest.js";
import {
  type JournalStep,
  journalStepSchema,
  type RecallStep,
  type ReturnStep,
  recallStepSchema,
  returnStepSchema,
  type SuspendStep,
  suspendStepSchema,
} from "./own-data-steps.js";
import {
  durationSchema,
  faultListSchema,
  faultSchema,
  type HqChange,
  headerSchema,
  hqChangeSchema,
  type OpExpect,
  opExpectSchema,
  opSchema,
  type ReplayOp,
  type SaleInput,
  type SaleStep,
  type Scenario,
  type ScheduledFault,
  type StateExpect,
  type Step,
  saleSchema,
  signinSchema,
  stateExpectSchema,
} from "./scenario.js";

export interface LoadOptions {
  /** `--register`: overrides the scenario's register; names the register for a journal. */
  register?: string;
  /** Who signs in to replay a journal (a journal records sales, not passwords). */
  staff?: { id: string; password: string };
}

/** The sample company's cashier (fixtures/README.md): who replays a journal when nobody else is named. */
export const JOURNAL_DEFAULT_STAFF = { id: "000160", password: "1234" } as const;

interface Problem {
  path: PropertyKey[];
  message: string;
}

const ACTIONS = [
  "sale",
  "fault",
  "wait",
  "op",
  "sync",
  "signin",
  "hq",
  "return",
  "suspend",
  "recall",
  "journal",
] as const;
type Action = (typeof ACTIONS)[number];

/** One schema per kind of step; `name` is taken off before they parse (schema-json adds it back for editors). */
export const STEP_SCHEMAS = {
  sale: z.strictObject({ sale: saleSchema }),
  fault: z.strictObject({ fault: faultListSchema }),
  wait: z.strictObject({ wait: durationSchema }),
  op: z.strictObject({ op: opSchema, expect: opExpectSchema.optional() }),
  sync: z.strictObject({
    sync: z.enum(["pull", "push"], { error: "expected pull or push" }).transform((v): ReplayOp => `sync ${v}`),
    expect: opExpectSchema.optional(),
  }),
  signin: z.strictObject({ signin: signinSchema, expect: opExpectSchema.optional() }),
  expect: z.strictObject({ expect: stateExpectSchema }),
  hq: z.strictObject({ hq: hqChangeSchema, expect: opExpectSchema.optional() }),
  return: z.strictObject({ return: returnStepSchema }),
  suspend: z.strictObject({ suspend: suspendStepSchema }),
  recall: z.strictObject({ recall: recallStepSchema }),
  journal: z.strictObject({ journal: journalStepSchema }),
} satisfies Record<Action | "expect", z.ZodObject>;

export function loadReplayFile(file: string, options: LoadOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`, "BadScenario");
  }
  return isJournal(file, text) ? parseJournal(text, file, options) : parseScenario(text, file, options);
}

/** `.ndjson`/`.jsonl`, or a file whose first line is a JSON object with sale lines and no steps. */
export function isJournal(file: string, text: string): boolean {
  const ext = extname(file).toLowerCase();
  if (ext === ".ndjson" || ext === ".jsonl") return true;
  if (ext === ".yaml" || ext === ".yml" || ext === ".json") return false;
  const first = text.split("\n").find((l) => l.trim() !== "");
  try {
    const value = JSON.parse(first ?? "") as unknown;
    return typeof value === "object" && value !== null && "lines" in value && !("steps" in value);
  } catch {
    return false;
  }
}

export function parseScenario(text: string, file: string, options: LoadOptions = {}): Scenario {
  const lines = new LineCounter();
  // JSON is YAML too, so both keep line numbers; unique keys catch a step written twice by mistake.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0];
    const where = at ? ` line ${at.line}, column ${at.col}:` : "";
    throw new UsageError(
      `${file}:${where} not valid YAML/JSON: ${syntax.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
      "BadScenario",
    );
  }
  const data = doc.toJS() as unknown;
  const lineAt = (path: PropertyKey[]) => nodeLine(doc, lines, path);
  const header = headerSchema.safeParse(data);
  if (!header.success) {
    const problem = problemOf(header.error, data, headerSchema);
    const line = lineAt(problem.path);
    throw new UsageError(
      `${file}:${line ? ` line ${line}:` : ""} ${formatPath(problem.path)}: ${problem.message}`,
      "BadScenario",
    );
  }
  const steps: Step[] = header.data.steps.map((raw, index) => {
    const parsed = parseStep(raw, index + 1);
    if ("message" in parsed) {
      const line = lineAt(["steps", index, ...parsed.path]);
      throw new UsageError(
        `${file}: step ${index + 1}${line ? ` (line ${line})` : ""}: ${formatPath(parsed.path)}: ${parsed.message}`,
        "BadScenario",
      );
    }
    const line = lineAt(["steps", index]);
    return line === undefined ? parsed : { ...parsed, line };
  });
  return {
    file,
    source: "scenario",
    name: header.data.name ?? basename(file, extname(file)),
    register: options.register ?? header.data.register,
    staff: options.staff ?? header.data.staff,
    profile: Object.fromEntries(
      Object.entries(header.data.profile ?? {}).filter(([, v]) => v !== undefined),
    ) as Scenario["profile"],
    ...(header.data.seed !== undefined ? { seed: header.data.seed } : {}),
    signIn: header.data.signIn ?? true,
    backgroundSync: header.data.backgroundSync ?? false,
    steps,
  };
}

/** One sale object a line (what `pos journal export` writes); blank lines are skipped. */
export function parseJournal(text: string, file: string, options: LoadOptions = {}): Scenario {
  const steps: Step[] = [];
  const rows = text.split("\n");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]?.trim() ?? "";
    if (row === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      throw new UsageError(`${file}: line ${i + 1}: not valid JSON: ${(error as Error).message}`, "BadJournal");
    }
    const parsed = saleSchema.safeParse(value);
    if (!parsed.success) {
      const problem = problemOf(parsed.error, value, saleSchema);
      throw new UsageError(`${file}: line ${i + 1}: ${formatPath(problem.path)}: ${problem.message}`, "BadJournal");
    }
    steps.push({ number: steps.length + 1, line: i + 1, kind: "sale", sale: toSaleStep(parsed.data) });
  }
  if (steps.length === 0) throw new UsageError(`${file}: the journal has no sales`, "BadJournal");
  const first = steps[0]?.kind === "sale" ? steps[0].sale.ref : undefined;
  const register = options.register ?? (first ? /^([A-Za-z0-9]+-[A-Za-z0-9]+)-\d+$/.exec(first)?.[1] : undefined);
  if (!register) {
    throw new UsageError(`${file}: the journal does not say which register made it: name one with --register`);
  }
  return {
    file,
    source: "journal",
    name: basename(file, extname(file)),
    register,
    staff: options.staff ?? { ...JOURNAL_DEFAULT_STAFF },
    profile: {},
    signIn: true,
    backgroundSync: false,
    steps,
  };
}

/** What the step schemas produce, by key (each step has its own kind's key, and expect where allowed). */
interface StepBody {
  sale: SaleInput;
  fault: FaultSpec[];
  wait: number;
  op: ReplayOp;
  sync: ReplayOp;
  signin: { id: string; password: string; offline?: boolean };
  hq: HqChange;
  return: ReturnStep;
  suspend: SuspendStep;
  recall: RecallStep;
  journal: JournalStep;
  expect?: StateExpect & OpExpect;
}

/** One step: exactly one action (plus `expect` for op/sync/signin), or an `expect` on its own. */
function parseStep(raw: unknown, number: number): Step | Problem {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { path: [], message: "expected a step such as {sale: …}, {fault: …}, {wait: 2m}, {op: 917} or {expect: …}" };
  }
  const keys = Object.keys(raw).filter((k) => k !== "name");
  const actions = keys.filter((k): k is Action => (ACTIONS as readonly string[]).includes(k));
  if (actions.length > 1) {
    return { path: [actions[1] ?? ""], message: `a step does one thing: found ${actions.join(" and ")} (split it)` };
  }
  const kind = actions[0] ?? (keys.includes("expect") ? "expect" : undefined);
  if (!kind) {
    const key = keys[0];
    return key === undefined
      ? { path: [], message: "empty step" }
      : {
          path: [key],
          message: `unknown step "${key}"${didYouMean(key, [...ACTIONS, "expect"])} (expected ${[...ACTIONS, "expect"].join(", ")})`,
        };
  }
  const inside = ["sale", "return", "suspend", "recall", "journal"];
  if (kind !== "expect" && keys.includes("expect") && (inside.includes(kind) || kind === "fault" || kind === "wait")) {
    return {
      path: ["expect"],
      message: `${kind} takes no expect beside it${inside.includes(kind) ? ` (put it inside ${kind})` : ""}`,
    };
  }
  const { name, ...body } = raw as Record<string, unknown>;
  if (name !== undefined && typeof name !== "string") return { path: ["name"], message: "expected text" };
  const schema: z.ZodType = STEP_SCHEMAS[kind];
  const parsed = schema.safeParse(body);
  if (!parsed.success) return problemOf(parsed.error, body, schema);
  const base = { number, ...(typeof name === "string" ? { name } : {}) };
  const value = parsed.data as StepBody;
  switch (kind) {
    case "sale":
      return { ...base, kind, sale: toSaleStep(value.sale) };
    case "fault":
      return { ...base, kind, faults: value.fault };
    case "wait":
      return { ...base, kind, ms: value.wait, text: String((raw as { wait: unknown }).wait) };
    case "op":
    case "sync":
      return { ...base, kind: "op", op: value[kind], ...(value.expect ? { expect: value.expect } : {}) };
    case "signin":
      return { ...base, kind, staff: value.signin, ...(value.expect ? { expect: value.expect } : {}) };
    case "expect":
      return { ...base, kind, expect: value.expect ?? {} };
    case "hq":
      return { ...base, kind, hq: value.hq, ...(value.expect ? { expect: value.expect } : {}) };
    case "return":
      return { ...base, kind, return: value.return };
    case "suspend":
      return { ...base, kind, suspend: value.suspend };
    case "recall":
      return { ...base, kind, recall: value.recall };
    case "journal":
      return { ...base, kind, journal: value.journal };
  }
}

export function toSaleStep(input: SaleInput): SaleStep {
  const faults: ScheduledFault[] = [];
  const schedule = (
    before: number | "checkout",
    spec: { fault: string; times?: number | undefined; path?: string | undefined },
  ) => {
    faults.push({ before, fault: faultSchema.parse(spec) });
  };
  if (Array.isArray(input.at)) {
    for (const { line, checkout: _checkout, ...spec } of input.at) schedule(line ?? "checkout", spec);
  }
  if (input.fault) {
    const { at, ...spec } = input.fault;
    schedule(at === "checkout" ? "checkout" : at.line, spec);
  }
  return {
    lines: input.lines.map((l) => ({
      code:
        l.item !== undefined
          ? String(l.item)
          : typeof l.barcode === "number"
            ? String(l.barcode).padStart(13, "0")
            : String(l.barcode),
      qty: l.qty ?? 1,
      ...(l.discount !== undefined ? { discount: l.discount } : {}),
      ...(l.void ? { void: true } : {}),
    })),
    ...(input.customer !== undefined ? { customer: String(input.customer) } : {}),
    ...(input.newCustomer !== undefined
      ? {
          newCustomer: {
            name: input.newCustomer.name,
            ...(input.newCustomer.email === undefined ? {} : { email: input.newCustomer.email }),
            ...(input.newCustomer.phone === undefined ? {} : { phone: input.newCustomer.phone }),
          },
        }
      : {}),
    pay: input.pay.map((p) => (p.amount === undefined ? { tender: p.tender } : { tender: p.tender, amount: p.amount })),
    ...(input.expect ? { expect: input.expect } : {}),
    faults,
    ...(input.ref ? { ref: input.ref } : {}),
    ...(typeof input.at === "string" ? { recordedAt: input.at } : {}),
  };
}

/** The first issue, with an unknown key named in the path and a missing field said plainly. */
export function problemOf(error: z.ZodError, data: unknown, schema?: z.ZodType): Problem {
  const unknownField = (issue: z.core.$ZodIssueUnrecognizedKeys): Problem => {
    const key = issue.keys[0] ?? "";
    const known = schema ? fieldsAt(schema, issue.path) : [];
    return { path: [...issue.path, key], message: `unknown field${didYouMean(key, known)}` };
  };
  // A misspelt field also leaves its real one missing: the typo is the better explanation (pya → pay).
  for (const candidate of error.issues) {
    if (candidate.code !== "unrecognized_keys") continue;
    const problem = unknownField(candidate);
    if (problem.message.includes("did you mean")) return problem;
  }
  const issue = error.issues[0];
  if (!issue) return { path: [], message: "invalid" };
  if (issue.code === "unrecognized_keys") return unknownField(issue);
  const missing = issue.code === "invalid_type" && valueAt(data, issue.path) === undefined;
  const message = issue.message.replace(/^Invalid input: /, "");
  return { path: issue.path, message: missing ? `missing (${message.replace(/, received undefined$/, "")})` : message };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The line of the deepest node along `path` that exists (a missing field points at its parent). */
function nodeLine(doc: Document, lines: LineCounter, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    let node: unknown;
    try {
      node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    } catch {
      continue;
    }
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The field names an object schema allows at `path` (through optionals, arrays, unions and pipes). */
export function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const objects = (s: z.ZodType, rest: readonly PropertyKey[]): z.ZodObject[] => {
    const def = (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
    switch (def.type) {
      case "object": {
        if (rest.length === 0) return [s as z.ZodObject];
        const [head, ...tail] = rest;
        const field = (s as z.ZodObject).shape[String(head)];
        return field ? objects(field as z.ZodType, tail) : [];
      }
      case "array":
        return objects(def.element as z.ZodType, typeof rest[0] === "number" ? rest.slice(1) : rest);
      case "optional":
      case "nullable":
      case "default":
        return objects(def.innerType as z.ZodType, rest);
      case "pipe":
        return objects(def.in as z.ZodType, rest);
      case "union":
        return (def.options as z.ZodType[]).flatMap((o) => objects(o, rest));
      default:
        return [];
    }
  };
  return [...new Set(objects(schema, path).flatMap((o) => Object.keys(o.shape)))];
}
