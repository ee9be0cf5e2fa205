// The replay report as JUnit XML (testsuites › testsuite › testcase), the shape Jenkins, GitLab and GitHub reporters read.
import { hostname } from "node:os";
import type { ReplayReport, StepRecord } from "./report.js";

export function toJUnit(report: ReplayReport, host = hostname()): string {
  const cases = report.steps.filter((s) => s.testCase);
  const failures = cases.filter((s) => s.result === "fail").length;
  const time = seconds(report.elapsedMs);
  // The XSD's timestamp has no zone and no fraction; the start is wall-clock time (the replay's own clock is virtual).
  const timestamp = report.startedAt.replace(/\.\d+Z$|Z$/, "");
  const counts = { tests: cases.length, failures, errors: 0, skipped: 0, time };
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: "pos replay", ...counts })}>`,
    `  <testsuite${attrs({ name: report.name, ...counts, timestamp, hostname: host, file: report.file })}>`,
    "    <properties>",
    ...Object.entries({
      file: report.file,
      source: report.source,
      register: report.register,
      server: report.server,
      currency: report.currency ?? "",
    }).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    "    </properties>",
    ...cases.map((c) => testCase(report, c)),
    "  </testsuite>",
    "</testsuites>",
    "",
  ];
  return out.join("\n");
}

function testCase(report: ReplayReport, record: StepRecord): string {
  const name = `step ${record.step}: ${record.name ?? record.label}`;
  const head = `    <testcase${attrs({
    name,
    classname: `pos.replay.${report.name}`,
    time: seconds(record.elapsedMs),
    file: report.file,
    ...(record.line === undefined ? {} : { line: record.line }),
  })}`;
  const out = [
    `mode after: ${record.mode}`,
    ...(record.total === null ? [] : [`total: ${record.total}`]),
    ...(record.transaction ? [`transaction: ${record.transaction} (${record.status ?? "?"})`] : []),
    ...record.switches.map((s) => `switched: ${s}`),
  ].join("\n");
  const body: string[] = [];
  if (record.result === "fail") {
    const detail = `expected: ${JSON.stringify(record.expected)}\nactual: ${JSON.stringify(record.actual)}`;
    body.push(
      `      <failure${attrs({ message: record.message ?? "failed", type: failureType(record) })}>${text(detail)}</failure>`,
    );
  }
  body.push(`      <system-out>${text(out)}</system-out>`);
  return [`${head}>`, ...body, "    </testcase>"].join("\n");
}

function failureType(record: StepRecord): string {
  const error = record.actual.error;
  return typeof error === "string" && record.expected.error === undefined ? error : "ExpectationFailed";
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`)
    .join("");
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * Replaces what XML 1.0 cannot carry at all, even escaped (C0 controls other than tab/newline/return, lone
 * surrogates, U+FFFE/U+FFFF), by U+FFFD: an error message quoting a garbage answer must not break the file.
 */
function xmlChars(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value.slice(i, i + 2);
        i++;
      } else out += "\uFFFD";
    } else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0xdc00 && c <= 0xdfff) || c >= 0xfffe) {
      out += "\uFFFD";
    } else out += value[i];
  }
  return out;
}

/** Element text: markup characters escaped, characters XML forbids replaced by U+FFFD. */
export function escapeText(value: string): string {
  return xmlChars(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Attribute values also escape quotes, and keep newlines and tabs (which attribute normalisation would flatten). */
export function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

function text(value: string): string {
  return escapeText(value);
}
