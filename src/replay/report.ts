// The replay's result as data (one record per step, a summary), and its human rendering: a line per step.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { OperationError } from "../lib/errors.js";
import type { ConnectionMode } from "../register/failover.js";
import type { Step } from "./scenario.js";

export interface StepRecord {
  step: number;
  /** Line in the scenario or journal file. */
  line?: number;
  kind: Step["kind"];
  /** What the step did, in a few words: `sale (3 lines)`, `fault blackhole`, `wait 2m`, `op sync push`. */
  label: string;
  name?: string;
  /** The register's connection mode after the step. */
  mode: ConnectionMode;
  /** The sale's total (major units); null for other steps or a sale that did not complete. */
  total: number | null;
  transaction?: string;
  status?: "stored" | "pending" | "duplicate";
  elapsedMs: number;
  result: "pass" | "fail";
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
  /** Why it failed (`mode: expected online, actual offline-auto`), or null. */
  message: string | null;
  /** Failover and reconnect switches during the step, as the cashier reads them. */
  switches: string[];
  /** Sales and expectations are JUnit test cases; set-up steps (fault, wait) only when they fail. */
  testCase: boolean;
}

export interface ReplaySummary {
  steps: number;
  sales: number;
  /** Test cases: sales, sign-ins, operations and expectations. */
  checks: number;
  passed: number;
  failed: number;
  ok: boolean;
}

export interface ReplayReport {
  format: "pos-replay/1";
  file: string;
  name: string;
  source: "scenario" | "journal";
  register: string;
  server: string;
  currency: string | null;
  startedAt: string;
  elapsedMs: number;
  steps: StepRecord[];
  summary: ReplaySummary;
}

export function summarize(steps: readonly StepRecord[]): ReplaySummary {
  const cases = steps.filter((s) => s.testCase);
  const failed = steps.filter((s) => s.result === "fail").length;
  return {
    steps: steps.length,
    sales: steps.filter((s) => s.kind === "sale").length,
    checks: cases.length,
    passed: cases.filter((s) => s.result === "pass").length,
    failed,
    ok: failed === 0,
  };
}

export function show(value: unknown): string {
  if (value === undefined || value === null) return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The colours the report uses; Output's chalk instance fits, and without one the text stays plain. */
export interface Paint {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const same = (text: string) => text;
const plain: Paint = { green: same, yellow: same, red: same, dim: same };

/** One line per step: number, what it did, mode after, total, time, result (and why, when it failed). */
export function formatStepLine(record: StepRecord, color: Paint = plain): string {
  const mode = record.mode === "online" ? color.green(record.mode.padEnd(14)) : color.yellow(record.mode.padEnd(14));
  const total = record.total === null ? "" : record.total.toFixed(2);
  const result = record.result === "pass" ? color.green("pass") : color.red("FAIL");
  const where = record.line === undefined ? "" : color.dim(` (line ${record.line})`);
  const head = `${String(record.step).padStart(4)}  ${truncate(record.name ?? record.label, 40).padEnd(40)} ${mode} ${total.padStart(10)} ${formatMs(record.elapsedMs).padStart(8)}  ${result}`;
  const why = record.message ? `  ${record.message}` : "";
  return `${head}${where}${record.result === "fail" ? color.red(why) : why}`;
}

export function formatSummary(report: ReplayReport, color: Paint = plain): string {
  const s = report.summary;
  const verdict = s.ok ? color.green("every expectation held") : color.red(`${s.failed} failed`);
  return `${report.file}: ${s.steps} steps, ${s.sales} sales, ${s.checks} checks: ${s.passed} passed, ${verdict} (${formatMs(report.elapsedMs)}, ${report.server} server, register ${report.register})`;
}

/** Whether the report shows a step: every step of a scenario, only the failures of a journal (it may hold thousands). */
export function showsStep(source: ReplayReport["source"], step: StepRecord): boolean {
  return source !== "journal" || step.result === "fail";
}

/** The whole human report: the shown steps' lines, then the summary (`pos replay` prints the same as it goes). */
export function formatReport(report: ReplayReport, color: Paint = plain): string {
  const lines = report.steps.filter((s) => showsStep(report.source, s)).map((s) => formatStepLine(s, color));
  return [...lines, formatSummary(report, color)].join("\n");
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Writes a report file (its folder too), so a CI job can point --out anywhere. */
export function writeReport(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (error) {
    throw new OperationError(`cannot write the report to ${file}: ${(error as Error).message}`, "ReportNotWritten");
  }
}
