// Latency and error bookkeeping of a load run: per request kind, percentiles, histogram buckets, errors by status.

export type RequestKind = "activate" | "config" | "signin" | "lookup" | "checkout";
export const REQUEST_KINDS: readonly RequestKind[] = ["activate", "config", "signin", "lookup", "checkout"];

/** Upper bounds (ms) of the histogram buckets; the last bucket is everything slower. */
export const HISTOGRAM_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

export interface KindFigures {
  kind: RequestKind;
  count: number;
  /** Answers that were not 2xx, and requests that got no answer. */
  errors: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Counts per HISTOGRAM_BOUNDS_MS bucket, plus one for slower. */
  histogram: number[];
}

export interface LoadStats {
  record(kind: RequestKind, ms: number, outcome: string | null): void;
  /** `outcome` null: a 2xx answer. Otherwise e.g. "409", "ECONNRESET", "timeout". */
  figures(seconds: number): { kinds: KindFigures[]; errors: Record<string, number> };
}

export function createLoadStats(): LoadStats {
  const samples = new Map<RequestKind, number[]>(REQUEST_KINDS.map((k) => [k, []]));
  const failed = new Map<RequestKind, number>();
  const errors: Record<string, number> = {};
  return {
    record(kind, ms, outcome) {
      samples.get(kind)?.push(ms);
      if (outcome !== null) {
        failed.set(kind, (failed.get(kind) ?? 0) + 1);
        const key = `${kind} ${outcome}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
    },
    figures(seconds) {
      const kinds = REQUEST_KINDS.map((kind) =>
        figuresOf(kind, samples.get(kind) ?? [], failed.get(kind) ?? 0, seconds),
      );
      return { kinds: kinds.filter((k) => k.count > 0), errors };
    },
  };
}

function figuresOf(kind: RequestKind, values: number[], errors: number, seconds: number): KindFigures {
  const sorted = [...values].sort((a, b) => a - b);
  const histogram = new Array<number>(HISTOGRAM_BOUNDS_MS.length + 1).fill(0);
  for (const v of sorted) {
    const bucket = HISTOGRAM_BOUNDS_MS.findIndex((bound) => v <= bound);
    const at = bucket === -1 ? HISTOGRAM_BOUNDS_MS.length : bucket;
    histogram[at] = (histogram[at] ?? 0) + 1;
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    kind,
    count: sorted.length,
    errors,
    perSecond: seconds > 0 ? round(sorted.length / seconds) : 0,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
    histogram,
  };
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}
