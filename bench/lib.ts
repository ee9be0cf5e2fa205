// Small helpers shared by the benchmarks: timing, figures, ratios.
import { spawnSync } from "node:child_process";

export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function timeMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median wall time of running a command `runs` times. */
export function commandMs(cmd: string, args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      timeMs(() => {
        const r = spawnSync(cmd, args, { stdio: "ignore" });
        if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
      }),
    );
  }
  return median(times);
}

export function figure(label: string, value: number, unit: string, extra = ""): void {
  const shown = value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2);
  console.log(`${label.padEnd(48)} ${shown.padStart(12)} ${unit}${extra ? `  ${extra}` : ""}`);
}

/** Prints a ratio against its target; `higherIsBetter` says which side of the target passes. */
export function ratio(label: string, value: number, target: number, higherIsBetter: boolean): void {
  const ok = higherIsBetter ? value >= target : value <= target;
  console.log(
    `${label.padEnd(48)} ${value.toFixed(2).padStart(12)} ×  target ${higherIsBetter ? "≥" : "≤"} ${target} ${ok ? "OK" : "MISSED"}`,
  );
}
