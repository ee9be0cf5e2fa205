// Small SVG pieces for the HTML reports: a timeline of modes with markers, and a latency histogram.

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface TimelineRow {
  label: string;
  /** Consecutive segments; `mode` picks the colour. */
  segments: Array<{ from: number; to: number; mode: string; title: string }>;
  markers: Array<{ at: number; kind: string; title: string }>;
}

export const MODE_COLORS: Readonly<Record<string, string>> = {
  online: "#2e9d5b",
  "offline-auto": "#e08a1e",
  "offline-manual": "#7b61c9",
};
const MARKER_COLORS: Readonly<Record<string, string>> = { fault: "#c62828", error: "#c62828", fail: "#8b0000" };

/** One row per register over [0, span]; hovering a segment or marker shows its title. */
export function timelineSvg(rows: readonly TimelineRow[], span: number, unit: string): string {
  const width = 960;
  const labelWidth = 150;
  const rowHeight = 18;
  const axis = 24;
  const height = rows.length * rowHeight + axis;
  const x = (t: number) => labelWidth + ((width - labelWidth - 10) * Math.max(0, Math.min(t, span))) / (span || 1);
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    parts.push(`<text x="4" y="${y + 13}" class="label">${escapeHtml(row.label)}</text>`);
    for (const s of row.segments) {
      const w = Math.max(1, x(s.to) - x(s.from));
      parts.push(
        `<rect class="segment mode-${escapeHtml(s.mode)}" x="${x(s.from).toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${MODE_COLORS[s.mode] ?? "#999"}"><title>${escapeHtml(s.title)}</title></rect>`,
      );
    }
    for (const m of row.markers) {
      const cx = x(m.at);
      parts.push(
        `<path class="marker marker-${escapeHtml(m.kind)}" d="M${cx.toFixed(1)} ${y + 1} l4 8 l-4 8 l-4 -8 z" fill="${MARKER_COLORS[m.kind] ?? "#333"}"><title>${escapeHtml(m.title)}</title></path>`,
      );
    }
  });
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const t = (span * i) / ticks;
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${height - 6}" class="tick" text-anchor="middle">${escapeHtml(formatTick(t, unit))}</text>`,
    );
  }
  return `<svg class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="timeline">${parts.join("")}</svg>`;
}

function formatTick(t: number, unit: string): string {
  if (unit === "ms") return t >= 1000 ? `${(t / 1000).toFixed(1)} s` : `${Math.round(t)} ms`;
  return `${Math.round(t)} ${unit}`;
}

/** Bars over buckets; `labels` name each bucket (≤ 1 ms, ≤ 2 ms, …, > 5 s). */
export function histogramSvg(title: string, counts: readonly number[], labels: readonly string[]): string {
  const width = 460;
  const height = 160;
  const bottom = 30;
  const max = Math.max(1, ...counts);
  const barWidth = (width - 20) / Math.max(1, counts.length);
  const bars = counts
    .map((n, i) => {
      const h = ((height - bottom - 20) * n) / max;
      const x = 10 + i * barWidth;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#3f6fb5"><title>${escapeHtml(`${labels[i]}: ${n}`)}</title></rect><text class="tick" x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 12}" text-anchor="middle">${escapeHtml(labels[i] ?? "")}</text>`;
    })
    .join("");
  return `<figure class="histogram"><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${bars}</svg></figure>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.verdict { padding: 8px 12px; border-radius: 6px; display: inline-block; font-weight: 600; }
.ok { background: #e3f4e8; color: #1b5e20; } .failed { background: #fde7e7; color: #8b0000; }
table { border-collapse: collapse; margin-top: 8px; } th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } tr.fail td { background: #fff1f1; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } .histograms { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; } figcaption { font-weight: 600; }
.legend span { display: inline-block; margin-right: 14px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function legend(): string {
  const modes = Object.entries(MODE_COLORS)
    .map(([mode, color]) => `<span><i style="background:${color}"></i>${escapeHtml(mode)}</span>`)
    .join("");
  return `<p class="legend">${modes}<span><i style="background:#c62828"></i>fault / error</span></p>`;
}
