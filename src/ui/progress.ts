// Progress lines for long work on a terminal: done/total, rate and ETA, measured on the injected clock.
import type { Clock } from "../lib/clock.js";
import { formatAge } from "../lib/clock.js";

export interface ProgressLine {
  /** `n/total unit · rate/s · ETA 12s` (rate and ETA once there is something to measure). */
  line(done: number, total: number, extra?: string): string;
}

/** Starts measuring now; each `line` reports the average rate since then and the time the rest would take. */
export function createProgress(clock: Clock, unit: string): ProgressLine {
  const started = clock.now();
  return {
    line(done, total, extra) {
      const parts = [`${done}/${total} ${unit}`];
      const seconds = (clock.now() - started) / 1000;
      if (done > 0 && seconds > 0) {
        const rate = done / seconds;
        parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`);
        if (done < total) parts.push(`ETA ${formatAge(((total - done) / rate) * 1000)}`);
      }
      if (extra) parts.push(extra);
      return parts.join(" · ");
    },
  };
}
