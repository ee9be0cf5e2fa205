// What the fault proxy does to a request: the FaultSpec schema, its text form ("http 503 times=2"), and path matching.
import { z } from "zod";
import { UsageError } from "../lib/errors.js";
import { didYouMean } from "../lib/suggest.js";

const limits = {
  /** Only the next N matching requests are affected; then the fault reverts to `none`. */
  times: z.number().int().positive().optional(),
  /** Only requests whose path is this one or lies under it (segment prefix) are affected. */
  path: z.string().startsWith("/", "path must start with /").optional(),
};

const MAX_LATENCY_MS = 600_000;

export const FaultSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("none") }),
  z.strictObject({ kind: z.literal("refuse"), ...limits }),
  z.strictObject({ kind: z.literal("blackhole"), ...limits }),
  z.strictObject({ kind: z.literal("stall"), ...limits }),
  z.strictObject({ kind: z.literal("latency"), ms: z.number().int().min(0).max(MAX_LATENCY_MS), ...limits }),
  z.strictObject({ kind: z.literal("http"), status: z.number().int().min(200).max(599), ...limits }),
  z.strictObject({ kind: z.literal("reset"), ...limits }),
  z.strictObject({ kind: z.literal("garbage"), ...limits }),
  z.strictObject({ kind: z.literal("lost-ack"), ...limits }),
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
];

export const NO_FAULT: FaultSpec = { kind: "none" };

const EXPECTED = "none, refuse, blackhole, stall, latency <ms>, http <status>, reset, garbage, lost-ack";

export interface FaultLimits {
  times?: number | undefined;
  path?: string | undefined;
}

/**
 * Parses the text form: `refuse`, `latency 200` (ms; `1.5s` also works), `http 503`, optionally followed by
 * `times=N` and `path=/v1/…`; `limits` (from command-line options) override those. Throws UsageError naming the value.
 */
export function parseFault(text: string, limits: FaultLimits = {}): FaultSpec {
  const [word = "", ...rest] = text.trim().split(/\s+/);
  const kind = word.toLowerCase();
  const fields: Record<string, unknown> = { kind };
  const args: string[] = [];
  for (const token of rest) {
    const option = /^(times|path)=(.*)$/.exec(token);
    if (!option) args.push(token);
    else if (option[1] === "times") fields.times = parseCount(option[2] ?? "", `"${text.trim()}"`);
    else fields.path = option[2];
  }
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(
      `unknown fault "${text.trim()}"${didYouMean(kind, FAULT_KINDS)} (expected ${EXPECTED})`,
      "BadFault",
    );
  }
  const needs = kind === "latency" ? "ms" : kind === "http" ? "status" : undefined;
  if (needs && args.length !== 1) {
    const example = kind === "latency" ? "latency 300" : "http 503";
    throw new UsageError(`fault "${text.trim()}" needs one ${needs} value, e.g. "${example}"`, "BadFault");
  }
  if (!needs && args.length > 0) {
    throw new UsageError(`fault "${text.trim()}" takes no value (got "${args.join(" ")}")`, "BadFault");
  }
  const value = args[0] ?? "";
  if (kind === "latency") fields.ms = parseLatency(value, text.trim());
  if (kind === "http") {
    if (!/^\d{3}$/.test(value))
      throw new UsageError(`http status must be 200–599, got "${value}" in "${text.trim()}"`, "BadFault");
    fields.status = Number(value);
  }
  if (limits.times !== undefined) fields.times = limits.times;
  if (limits.path !== undefined) fields.path = limits.path;
  return validate(fields, `"${text.trim()}"`);
}

/** Accepts what a scenario step or the control endpoint carries: fault text, `{fault: text, times?, path?}`, or a FaultSpec. */
export function toFaultSpec(input: unknown): FaultSpec {
  if (typeof input === "string") return parseFault(input);
  if (input && typeof input === "object" && "fault" in input) {
    const { fault, times, path } = input as { fault: unknown; times?: unknown; path?: unknown };
    if (typeof fault !== "string") throw new UsageError('fault must be text such as "http 503"', "BadFault");
    const spec = parseFault(fault);
    return validate({ ...spec, ...(times !== undefined && { times }), ...(path !== undefined && { path }) }, fault);
  }
  return validate(input, JSON.stringify(input) ?? String(input));
}

/** The text form, which parseFault reads back: `http 503 times=2 path=/v1/transactions`. */
export function formatFault(spec: FaultSpec): string {
  const parts: string[] = [spec.kind];
  if (spec.kind === "latency") parts.push(String(spec.ms));
  if (spec.kind === "http") parts.push(String(spec.status));
  if (spec.kind !== "none") {
    if (spec.times !== undefined) parts.push(`times=${spec.times}`);
    if (spec.path !== undefined) parts.push(`path=${spec.path}`);
  }
  return parts.join(" ");
}

/** True when the fault applies to a request for `path` (the request target without its query). */
export function faultMatchesPath(spec: FaultSpec, path: string): boolean {
  if (spec.kind === "none" || spec.path === undefined) return true;
  const prefix = spec.path.endsWith("/") ? spec.path : `${spec.path}/`;
  return path === spec.path || path.startsWith(prefix);
}

/** A fault without `times` or `path` applies to everything, so it may act on the listener or on connections already open. */
export function isUnlimited(spec: FaultSpec): boolean {
  return spec.kind === "none" || (spec.times === undefined && spec.path === undefined);
}

/** Parses a positive whole count (for `--times` and `times=`); throws UsageError naming the value. */
export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`times must be a positive whole number, got "${text}" in ${what}`, "BadFault");
  }
  return Number(text);
}

function parseLatency(value: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  if (!match) throw new UsageError(`latency must be milliseconds, got "${value}" in "${text}"`, "BadFault");
  return Math.round(Number(match[1]) * (match[2] === "s" ? 1000 : 1));
}

function validate(fields: unknown, what: string): FaultSpec {
  const parsed = FaultSpecSchema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new UsageError(`bad fault ${what}: ${where}${issue?.message ?? "invalid"}`, "BadFault");
}
