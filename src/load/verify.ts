// Exact verification of a load run: the server must hold every acknowledged sale once, and nothing else of the run.

export interface SentSale {
  id: string;
  register: string;
  staff: string;
  createdAt: string;
  /** Major units, as the wire and the admin list carry it. */
  total: number;
}

export interface HeldTransaction {
  id: string;
  register: string;
  staff: string;
  createdAt: string;
  total: number;
}

export interface Verification {
  ok: boolean;
  /** Sales that got a success answer (201 stored or 200 duplicate of the same content). */
  acknowledged: number;
  /** Transactions of this run the server holds (run's registers, numbers from the run's first). */
  held: number;
  /** Acknowledged but not held. */
  lost: string[];
  /** Held under another id with the same content as an acknowledged sale, or listed twice. */
  duplicated: Array<{ id: string; of: string }>;
  /** Held, in the run's number range, but never acknowledged nor in doubt. */
  extra: string[];
  /** Sales that got no answer (even after the retry with the same id): held or not, both are correct. */
  inDoubt: { held: number; missing: number };
}

const fingerprint = (s: Omit<SentSale, "id">) => `${s.register}|${s.staff}|${s.createdAt}|${s.total}`;

/** `server` must already be limited to the run's registers and number range. */
export function verifyRun(
  acknowledged: readonly SentSale[],
  inDoubt: readonly SentSale[],
  server: readonly HeldTransaction[],
): Verification {
  const acked = new Map(acknowledged.map((s) => [s.id, s]));
  const doubtful = new Set(inDoubt.map((s) => s.id));
  const byContent = new Map(acknowledged.map((s) => [fingerprint(s), s.id]));
  const seen = new Set<string>();
  const duplicated: Verification["duplicated"] = [];
  const extra: string[] = [];
  let doubtfulHeld = 0;
  for (const t of server) {
    if (seen.has(t.id)) {
      duplicated.push({ id: t.id, of: t.id });
      continue;
    }
    seen.add(t.id);
    if (acked.has(t.id)) continue;
    if (doubtful.has(t.id)) {
      doubtfulHeld++;
      continue;
    }
    const original = byContent.get(fingerprint(t));
    if (original !== undefined) duplicated.push({ id: t.id, of: original });
    else extra.push(t.id);
  }
  const lost = acknowledged.filter((s) => !seen.has(s.id)).map((s) => s.id);
  return {
    ok: lost.length === 0 && duplicated.length === 0 && extra.length === 0,
    acknowledged: acknowledged.length,
    held: seen.size,
    lost,
    duplicated,
    extra,
    inDoubt: { held: doubtfulHeld, missing: inDoubt.length - doubtfulHeld },
  };
}

/** The sequence number of `<store>-<register>-<seq>`, or -1. */
export function sequenceOf(id: string): number {
  const match = /-(\d+)$/.exec(id);
  return match ? Number(match[1]) : -1;
}
