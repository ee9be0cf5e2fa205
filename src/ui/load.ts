// Rendering of a `pos load` result: throughput, latency per request kind, errors, the verification verdict.
import type { LoadResult } from "../load/run.js";
import { renderTable } from "./table.js";

export function renderLoad(r: LoadResult): string {
  const v = r.verification;
  const lines = [
    `${r.registers} registers in ${r.stores} store(s) for ${r.seconds} s against ${r.server}`,
    `sign-in storm: ${r.signinStorm.registers} sign-ins done in ${r.signinStorm.ms} ms`,
    `sales: ${r.sales.acknowledged} acknowledged (${r.sales.perSecond}/s), ${r.sales.inDoubt} in doubt (no answer)`,
    "",
    renderTable(
      [
        "KIND",
        { header: "COUNT", align: "right" },
        { header: "PER S", align: "right" },
        { header: "P50 MS", align: "right" },
        { header: "P95 MS", align: "right" },
        { header: "P99 MS", align: "right" },
        { header: "MAX MS", align: "right" },
        { header: "ERRORS", align: "right" },
      ],
      r.kinds.map((k) => [k.kind, k.count, k.perSecond, k.p50, k.p95, k.p99, k.max, k.errors]),
    ),
  ];
  const errors = Object.entries(r.errors);
  if (errors.length > 0) lines.push("", `errors: ${errors.map(([what, n]) => `${what} × ${n}`).join(", ")}`);
  lines.push(
    "",
    v.ok
      ? `verified: the server holds exactly the ${v.acknowledged} acknowledged sales (none lost, duplicated or extra)`
      : `VERIFICATION FAILED: ${v.lost.length} lost, ${v.duplicated.length} duplicated, ${v.extra.length} extra of ${v.acknowledged} acknowledged`,
  );
  if (v.lost.length) lines.push(`  lost: ${v.lost.slice(0, 20).join(", ")}${v.lost.length > 20 ? ", …" : ""}`);
  if (v.duplicated.length) {
    lines.push(
      `  duplicated: ${v.duplicated
        .slice(0, 20)
        .map((d) => `${d.id} (same sale as ${d.of})`)
        .join(", ")}`,
    );
  }
  if (v.extra.length) lines.push(`  extra: ${v.extra.slice(0, 20).join(", ")}`);
  if (v.inDoubt.held + v.inDoubt.missing > 0) {
    lines.push(`  in doubt: ${v.inDoubt.held} held by the server, ${v.inDoubt.missing} not (both are correct)`);
  }
  if (r.p99) {
    lines.push(
      `checkout p99 ${r.p99.checkout} ms ${r.p99.exceeded ? "exceeds" : "is within"} the limit of ${r.p99.limit} ms`,
    );
  }
  return lines.join("\n");
}
