// Renders a `pos doctor` result: one line per check (✔ ⚠ ✘) and, under each problem, the command that fixes it.
import type { ChalkInstance } from "chalk";
import type { DoctorResult } from "../doctor/doctor.js";

export function renderDoctor(result: DoctorResult, color: ChalkInstance): string {
  const lines: string[] = [];
  const width = Math.max(...result.checks.map((c) => c.id.length));
  for (const register of result.registers) {
    lines.push(color.bold(`register ${register}`));
    for (const check of result.checks.filter((c) => c.register === register)) {
      const mark =
        check.status === "ok" ? color.green("✔") : check.status === "warning" ? color.yellow("⚠") : color.red("✘");
      lines.push(`  ${mark} ${check.id.padEnd(width)}  ${check.message}`);
      if (check.fix && check.status !== "ok") lines.push(`    ${" ".repeat(width)}  fix: ${color.cyan(check.fix)}`);
    }
  }
  const summary =
    result.problems === 0 && result.warnings === 0
      ? color.green("no problems found")
      : `${result.problems} problem(s), ${result.warnings} warning(s)`;
  lines.push(summary);
  return lines.join("\n");
}
