import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/lib/clock.js";
import { createProgress } from "../../../src/ui/progress.js";

function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  } as Clock & { advance(ms: number): void };
}

describe("progress lines", () => {
  it.each<[number, number, number, string]>([
    [0, 1000, 0, "0/1000 sales"],
    [100, 1000, 2_000, "100/1000 sales · 50/s · ETA 18s"],
    [3, 10, 2_000, "3/10 sales · 1.5/s · ETA 4s"],
    [1000, 1000, 20_000, "1000/1000 sales · 50/s"],
    [500, 10_000, 10_000, "500/10000 sales · 50/s · ETA 3m 10s"],
  ])("%i of %i after %i ms → %s", (done, total, elapsed, expected) => {
    const clock = manualClock(1_000_000);
    const progress = createProgress(clock, "sales");
    clock.advance(elapsed);
    expect(progress.line(done, total)).toBe(expected);
  });

  it("appends what else the caller measures", () => {
    const clock = manualClock();
    const progress = createProgress(clock, "sessions");
    expect(progress.line(1, 3, "1.2 MB, 4500 rows")).toBe("1/3 sessions · 1.2 MB, 4500 rows");
  });
});
