// What the fault proxy does to a request: the FaultSpec schema, its text form ("http 503 times=2"), and path matching.
import { z } from "zod";
import { UsageError } from "../lib/errors.js";
import { didYouMean } from "../lib/suggest.js";

const limits = {
  /** Only the next N matching requests are affected; then the fault reverts to `none`. */
  times: z.number().int().positive().optional(),
  /** Only requests whose path is this one or lies under it (segment prefix) are affected. */
  path: z.string().startsWith("/", "path must start with /").optional(),
  /** Each matching request is affected with this chance (drawn from the proxy's seeded generator); 1 when absent. */
  probability: z.number().min(0, "probability must be 0..1").max(1, "probability must be 0..1").optional(),
};
/** Which bytes a shaping fault acts on: `down` the answers (the default), `up` the requests. */
const direction = { direction: z.enum(["up", "down"]).optional() };

const MAX_MS = 600_000;
const ms = z.number().int().min(0).max(MAX_MS);

export const FaultSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("none") }),
  z.strictObject({ kind: z.literal("refuse"), ...limits }),
  z.strictObject({ kind: z.literal("blackhole"), ...limits }),
  z.strictObject({ kind: z.literal("stall"), ...limits }),
  z.strictObject({ kind: z.literal("latency"), ms, jitter: ms.optional(), ...limits, ...direction }),
  z.strictObject({ kind: z.literal("http"), status: z.number().int().min(200).max(599), ...limits }),
  z.strictObject({ kind: z.literal("reset"), ...limits }),
  z.strictObject({ kind: z.literal("garbage"), ...limits }),
  z.strictObject({ kind: z.literal("lost-ack"), ...limits }),
  /** `kbps` is KB/s with 1 KB = 1024 bytes. */
  z.strictObject({
    kind: z.literal("bandwidth"),
    kbps: z.number().positive().max(10_000_000),
    ...limits,
    ...direction,
  }),
  z.strictObject({
    kind: z.literal("slicer"),
    bytes: z.number().int().min(1).max(1_048_576),
    delay: ms.optional(),
    ...limits,
    ...direction,
  }),
  z.strictObject({ kind: z.literal("limit-data"), bytes: z.number().int().min(0), ...limits, ...direction }),
  z.strictObject({ kind: z.literal("slow-close"), ms, ...limits }),
]);

export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec["kind"];

export const FAULT_KINDS: readonly FaultKind[] = [
  "none",
  "refuse",
  "blackhole",
  "stall",
  "latency",
  "http",
  "reset",
  "garbage",
  "lost-ack",
  "bandwidth",
  "slicer",
  "limit-data",
  "slow-close",
];

/** Faults that change how bytes flow (several combine on one request); the others decide the answer (one wins). */
export const SHAPING_KINDS: ReadonlySet<FaultKind> = new Set([
  "latency",
  "bandwidth",
  "slicer",
  "limit-data",
  "slow-close",
]);

export const NO_FAULT: FaultSpec = { kind: "none" };

const EXPECTED =
  "none, refuse, blackhole, stall, latency <ms>, http <status>, reset, garbage, lost-ack, bandwidth <KB/s>, slicer <bytes>, limit-data <bytes>, slow-close <ms>";

/** The one value each kind takes, with an example for the error message. */
const VALUE: Partial<Record<FaultKind, { name: string; example: string }>> = {
  latency: { name: "ms", example: "latency 300" },
  http: { name: "status", example: "http 503" },
  bandwidth: { name: "KB/s", example: "bandwidth 256" },
  slicer: { name: "bytes", example: "slicer 1" },
  "limit-data": { name: "bytes", example: "limit-data 2MB" },
  "slow-close": { name: "ms", example: "slow-close 500" },
};

const OPTIONS = ["times", "path", "probability", "jitter", "delay", "direction"] as const;
type OptionName = (typeof OPTIONS)[number];

export interface FaultLimits {
  times?: number | undefined;
  path?: string | undefined;
  probability?: number | undefined;
  jitter?: number | undefined;
  delay?: number | undefined;
  direction?: "up" | "down" | undefined;
}

/**
 * Parses the text form: `refuse`, `latency 200` (ms; `1.5s` also works), `http 503`, `bandwidth 256`, `slicer 1`,
 * `limit-data 2MB`, optionally followed by `times=N`, `path=/v1/…`, `probability=0.1`, `jitter=50`, `delay=5`,
 * `direction=up` (or `--jitter 50` and so on); `limits` (from command-line options) override those.
 * Throws UsageError naming the value.
 */
export function parseFault(text: string, limits: FaultLimits = {}): FaultSpec {
  const whole = `"${text.trim()}"`;
  const [word = "", ...rest] = text.trim().split(/\s+/);
  const kind = word.toLowerCase();
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown fault ${whole}${didYouMean(kind, FAULT_KINDS)} (expected ${EXPECTED})`, "BadFault");
  }
  const options: Partial<Record<OptionName, string>> = {};
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? "";
    const flag = /^--([a-z]+)(?:=(.*))?$/.exec(token);
    const option = flag ?? /^([a-z]+)=(.*)$/.exec(token);
    if (!option || !(OPTIONS as readonly string[]).includes(option[1] ?? "")) {
      if (flag)
        throw new UsageError(`unknown option ${token} in ${whole} (expected ${OPTIONS.join(", ")})`, "BadFault");
      args.push(token);
      continue;
    }
    let value = option[2];
    if (value === undefined) value = rest[++i];
    if (value === undefined) throw new UsageError(`${token} needs a value in ${whole}`, "BadFault");
    options[option[1] as OptionName] = value;
  }
  const needs = VALUE[kind as FaultKind];
  if (needs && args.length !== 1) {
    throw new UsageError(`fault ${whole} needs one ${needs.name} value, e.g. "${needs.example}"`, "BadFault");
  }
  if (!needs && args.length > 0) {
    throw new UsageError(`fault ${whole} takes no value (got "${args.join(" ")}")`, "BadFault");
  }
  const fields: Record<string, unknown> = { kind };
  const value = args[0] ?? "";
  if (kind === "latency") fields.ms = parseMs(value, "latency", whole);
  if (kind === "slow-close") fields.ms = parseMs(value, "slow-close", whole);
  if (kind === "http") {
    if (!/^\d{3}$/.test(value))
      throw new UsageError(`http status must be 200–599, got "${value}" in ${whole}`, "BadFault");
    fields.status = Number(value);
  }
  if (kind === "bandwidth") fields.kbps = parseNumber(value, "bandwidth must be KB/s (e.g. 256)", whole);
  if (kind === "slicer" || kind === "limit-data") fields.bytes = parseBytes(value, whole);
  if (options.times !== undefined) fields.times = parseCount(options.times, whole);
  if (options.path !== undefined) fields.path = options.path;
  if (options.probability !== undefined) fields.probability = parseProbability(options.probability, whole);
  if (options.jitter !== undefined) fields.jitter = parseMs(options.jitter, "jitter", whole);
  if (options.delay !== undefined) fields.delay = parseMs(options.delay, "delay", whole);
  if (options.direction !== undefined) fields.direction = parseDirection(options.direction, whole);
  for (const [key, v] of Object.entries(limits)) if (v !== undefined) fields[key] = v;
  return validate(fields, whole);
}

/** Accepts what a scenario step or the control endpoint carries: fault text, `{fault: text, times?, …}`, or a FaultSpec. */
export function toFaultSpec(input: unknown): FaultSpec {
  if (typeof input === "string") return parseFault(input);
  if (input && typeof input === "object" && "fault" in input) {
    const { fault, ...extra } = input as { fault: unknown } & Record<string, unknown>;
    if (typeof fault !== "string") throw new UsageError('fault must be text such as "http 503"', "BadFault");
    const spec = parseFault(fault);
    const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
    return validate({ ...spec, ...defined }, fault);
  }
  return validate(input, JSON.stringify(input) ?? String(input));
}

/** A fault or a list of them (stacked), as a step or the control endpoint carries it. */
export function toFaultList(input: unknown): FaultSpec[] {
  const list = Array.isArray(input) ? input.map(toFaultSpec) : [toFaultSpec(input)];
  return list.filter((spec) => spec.kind !== "none");
}

/** The text form, which parseFault reads back: `http 503 times=2 path=/v1/transactions`. */
export function formatFault(spec: FaultSpec): string {
  const parts: string[] = [spec.kind];
  switch (spec.kind) {
    case "latency":
    case "slow-close":
      parts.push(String(spec.ms));
      break;
    case "http":
      parts.push(String(spec.status));
      break;
    case "bandwidth":
      parts.push(String(spec.kbps));
      break;
    case "slicer":
    case "limit-data":
      parts.push(String(spec.bytes));
      break;
  }
  if (spec.kind === "none") return parts.join(" ");
  if (spec.kind === "latency" && spec.jitter !== undefined) parts.push(`jitter=${spec.jitter}`);
  if (spec.kind === "slicer" && spec.delay !== undefined) parts.push(`delay=${spec.delay}`);
  if ("direction" in spec && spec.direction !== undefined) parts.push(`direction=${spec.direction}`);
  if (spec.probability !== undefined) parts.push(`probability=${spec.probability}`);
  if (spec.times !== undefined) parts.push(`times=${spec.times}`);
  if (spec.path !== undefined) parts.push(`path=${spec.path}`);
  return parts.join(" ");
}

/** Several faults in their text form, joined by " + " ("none" when the list is empty). */
export function formatFaults(list: readonly FaultSpec[]): string {
  return list.length === 0 ? "none" : list.map(formatFault).join(" + ");
}

/**
 * True when the fault applies to a request for `path` (the request target without its query): the fault's path or
 * anything below it, segment by segment; a `*` segment matches any one segment (the session id of a package path, say).
 */
export function faultMatchesPath(spec: FaultSpec, path: string): boolean {
  if (spec.kind === "none" || spec.path === undefined) return true;
  const want = spec.path.split("/").filter((s, i) => i === 0 || s !== "");
  const have = path.split("/");
  if (have.length < want.length) return false;
  return want.every((segment, i) => segment === "*" || segment === have[i]);
}

/** A fault without `times`, `path` or `probability` applies to everything, so it may act on the listener or on connections already open. */
export function isUnlimited(spec: FaultSpec): boolean {
  return (
    spec.kind === "none" || (spec.times === undefined && spec.path === undefined && spec.probability === undefined)
  );
}

/** Fault words from the command line: `latency 300 + http 503 times=1` is two faults, stacked; `limits` apply to each. */
export function parseFaultWords(words: readonly string[], limits: FaultLimits = {}): FaultSpec[] {
  const texts = words.join(" ").split(/\s\+\s/);
  return texts.map((text) => parseFault(text, limits)).filter((spec) => spec.kind !== "none");
}

/** A seed for the draws: a whole number 0..4294967295. */
export function parseSeed(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > 0xffffffff) {
    throw new UsageError(`${what} must be a whole number 0..4294967295, got "${text}"`, "BadSeed");
  }
  return value;
}

/** Parses a positive whole count (for `--times` and `times=`); throws UsageError naming the value. */
export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`times must be a positive whole number, got "${text}" in ${what}`, "BadFault");
  }
  return Number(text);
}

/** Parses 0..1 (for `--probability` and `probability=`); `5%` also works. */
export function parseProbability(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%)?$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value <= 1)) {
    throw new UsageError(`probability must be 0..1 (or 0%..100%), got "${text}" in ${what}`, "BadFault");
  }
  return value;
}

/** Milliseconds: `200`, `200ms` or `1.5s`. */
export function parseMs(value: string, name: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  if (!match) throw new UsageError(`${name} must be milliseconds, got "${value}" in ${what}`, "BadFault");
  return Math.round(Number(match[1]) * (match[2] === "s" ? 1000 : 1));
}

export function parseDirection(value: string, what: string): "up" | "down" {
  if (value === "up" || value === "down") return value;
  throw new UsageError(`direction must be up or down, got "${value}" in ${what}`, "BadFault");
}

/** Bytes: `1`, `4096`, `512KB`, `2MB` (1 KB = 1024 bytes). */
export function parseBytes(value: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(b|kb|k|mb|m)?$/i.exec(value);
  if (!match)
    throw new UsageError(`bytes must be a size such as 4096, 512KB or 2MB, got "${value}" in ${what}`, "BadFault");
  const unit = (match[2] ?? "b").toLowerCase();
  const scale = unit.startsWith("m") ? 1024 * 1024 : unit.startsWith("k") ? 1024 : 1;
  return Math.round(Number(match[1]) * scale);
}

function parseNumber(value: string, message: string, what: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${message}, got "${value}" in ${what}`, "BadFault");
  return Number(value);
}

function validate(fields: unknown, what: string): FaultSpec {
  const parsed = FaultSpecSchema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  const message =
    issue?.code === "unrecognized_keys" ? `${issue.keys.join(", ")} does not apply to this fault` : issue?.message;
  throw new UsageError(`bad fault ${what}: ${where}${message ?? "invalid"}`, "BadFault");
}
