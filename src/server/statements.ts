// Small helpers for the server: ISO times.

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
