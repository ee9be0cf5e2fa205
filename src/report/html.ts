// Self-contained HTML reports (no script, no network) for `pos load` and `pos replay`: timeline, histograms, tables.
import type { LoadResult } from "../load/run.js";
import { HISTOGRAM_BOUNDS_MS } from "../load/stats.js";
import type { ReplayReport } from "../replay/report.js";
import { escapeHtml, histogramSvg, legend, page, type TimelineRow, timelineSvg } from "./svg.js";

const BUCKET_LABELS = [...HISTOGRAM_BOUNDS_MS.map((b) => (b >= 1000 ? `≤${b / 1000}s` : `≤${b}`)), ">5s"];
/** Registers drawn in a load timeline; the rest are summarised in a line. */
const MAX_ROWS = 200;

export function loadReportHtml(r: LoadResult): string {
  const spanMs = r.seconds * 1000 || 1;
  const byRegister = new Map<string, TimelineRow>();
  for (const e of r.events) {
    const row = byRegister.get(e.register) ?? { label: e.register, segments: [], markers: [] };
    row.markers.push({
      at: e.at,
      kind: "error",
      title: `${e.register} ${e.kind}: ${e.outcome} at ${(e.at / 1000).toFixed(2)} s`,
    });
    byRegister.set(e.register, row);
  }
  const registers = [...new Set([...byRegister.keys()])];
  const rows: TimelineRow[] = registers.slice(0, MAX_ROWS).map((id) => {
    const row = byRegister.get(id) as TimelineRow;
    return { ...row, segments: [{ from: 0, to: spanMs, mode: "online", title: `${id}: online` }] };
  });
  if (rows.length === 0) {
    rows.push({
      label: `all ${r.registers} registers`,
      segments: [{ from: 0, to: spanMs, mode: "online", title: "online, no errors" }],
      markers: [],
    });
  }
  const v = r.verification;
  const verdict = v.ok && !r.p99?.exceeded;
  const kinds = r.kinds
    .map(
      (k) =>
        `<tr><td>${escapeHtml(k.kind)}</td><td class="num">${k.count}</td><td class="num">${k.perSecond}</td><td class="num">${k.p50}</td><td class="num">${k.p95}</td><td class="num">${k.p99}</td><td class="num">${k.max}</td><td class="num">${k.errors}</td></tr>`,
    )
    .join("");
  const failures = [
    ...v.lost.map((id) => ["lost", id, "acknowledged, not held by the server"]),
    ...v.duplicated.map((d) => ["duplicated", d.id, `same sale as ${d.of}`]),
    ...v.extra.map((id) => ["extra", id, "held by the server, never acknowledged"]),
    ...Object.entries(r.errors).map(([what, n]) => ["error", what, `${n} time(s)`]),
  ];
  const body = `
<h1>pos load — ${r.registers} registers, ${r.seconds} s</h1>
<p>${escapeHtml(r.server)} · started ${escapeHtml(r.startedAt)} · ${r.stores} store(s) · ${r.sales.acknowledged} sales acknowledged (${r.sales.perSecond}/s), ${r.sales.inDoubt} in doubt · sign-in storm ${r.signinStorm.ms} ms</p>
<p class="verdict ${verdict ? "ok" : "failed"}" id="verdict">${verdict ? "verified: none lost, none duplicated, none extra" : `failed: ${v.lost.length} lost, ${v.duplicated.length} duplicated, ${v.extra.length} extra${r.p99?.exceeded ? `, checkout p99 ${r.p99.checkout} ms > ${r.p99.limit} ms` : ""}`}</p>
<h2>Timeline</h2>
<section id="timeline">${legend()}${timelineSvg(rows, spanMs, "ms")}${registers.length > MAX_ROWS ? `<p>${registers.length - MAX_ROWS} more registers with errors not drawn</p>` : ""}</section>
<h2>Latency per request kind (ms)</h2>
<section id="histograms" class="histograms">${r.kinds.map((k) => histogramSvg(`${k.kind} (${k.count})`, k.histogram, BUCKET_LABELS)).join("")}</section>
<table id="kinds"><thead><tr><th>kind</th><th>count</th><th>per s</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>errors</th></tr></thead><tbody>${kinds}</tbody></table>
<h2>Failures</h2>
<table id="steps"><thead><tr><th>what</th><th>id</th><th>detail</th></tr></thead><tbody>${failures.length ? failures.map((f) => `<tr class="fail">${f.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("") : `<tr><td colspan="3">none</td></tr>`}</tbody></table>`;
  return page(`pos load — ${r.registers} registers`, body);
}

export function replayReportHtml(r: ReplayReport): string {
  // Steps laid end to end on the run's own time (elapsed ms of each step), coloured by the mode after it.
  const segments: TimelineRow["segments"] = [];
  const markers: TimelineRow["markers"] = [];
  let at = 0;
  for (const s of r.steps) {
    const to = at + Math.max(1, s.elapsedMs);
    // Drawn in the mode the register was in when the step ended (a failover shows from that step on).
    segments.push({ from: at, to, mode: s.mode, title: `step ${s.step} ${s.label}: ${s.mode}` });
    if (s.kind === "fault") markers.push({ at, kind: "fault", title: `step ${s.step}: ${s.label}` });
    if (s.result === "fail") markers.push({ at: to, kind: "fail", title: `step ${s.step} failed: ${s.message ?? ""}` });
    at = to;
  }
  const span = at || 1;
  const elapsed = new Map<string, number[]>();
  for (const s of r.steps) elapsed.set(s.kind, [...(elapsed.get(s.kind) ?? []), s.elapsedMs]);
  const histograms = [...elapsed.entries()].map(([kind, values]) => {
    const counts = new Array<number>(BUCKET_LABELS.length).fill(0);
    for (const v of values) {
      const i = HISTOGRAM_BOUNDS_MS.findIndex((b) => v <= b);
      const at = i === -1 ? HISTOGRAM_BOUNDS_MS.length : i;
      counts[at] = (counts[at] ?? 0) + 1;
    }
    return histogramSvg(`${kind} (${values.length})`, counts, BUCKET_LABELS);
  });
  const rows = r.steps
    .map(
      (s) =>
        `<tr class="${s.result}"><td class="num">${s.step}</td><td>${escapeHtml(s.label)}</td><td>${escapeHtml(s.mode)}</td><td class="num">${s.total ?? ""}</td><td class="num">${Math.round(s.elapsedMs)}</td><td>${s.result}</td><td>${escapeHtml([s.message, ...s.switches].filter(Boolean).join("; "))}</td></tr>`,
    )
    .join("");
  const body = `
<h1>pos replay — ${escapeHtml(r.name)}</h1>
<p>${escapeHtml(r.file)} · register ${escapeHtml(r.register)} · ${escapeHtml(r.server)} · started ${escapeHtml(r.startedAt)} · ${r.summary.steps} steps, ${r.summary.sales} sales</p>
<p class="verdict ${r.summary.ok ? "ok" : "failed"}" id="verdict">${r.summary.ok ? `all ${r.summary.checks} checks passed` : `${r.summary.failed} of ${r.summary.checks} checks failed`}</p>
<h2>Timeline</h2>
<section id="timeline">${legend()}${timelineSvg([{ label: r.register, segments, markers }], span, "ms")}</section>
<h2>Step time per kind (ms)</h2>
<section id="histograms" class="histograms">${histograms.join("")}</section>
<h2>Steps</h2>
<table id="steps"><thead><tr><th>step</th><th>what</th><th>mode after</th><th>total</th><th>ms</th><th>result</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
  return page(`pos replay — ${r.name}`, body);
}
