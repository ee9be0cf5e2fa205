// `pos sync conflicts`: transactions the server refused (409) and how a support engineer settles each one.
import type { WireTransaction } from "../domain/transaction.js";
import type { Clock } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";
import { type ConflictResolution, createConflictStore } from "../offline/conflict-store.js";
import { readRegisterConfig } from "../register/config.js";
import { fileHighWaterMark } from "../register/high-water.js";
import { openRegisterDatabase } from "../register/open.js";

export interface ConflictInfo {
  id: string;
  reason: string | null;
  createdAt: string;
  refusedAt: string;
  currency: string;
  /** Major units, as every JSON amount. */
  total: number;
  lines: number;
}

export interface ResolveResult extends ConflictResolution {
  register: string;
  /** False when the conflict had already been settled the same way (nothing done again). */
  changed: boolean;
}

interface Options {
  paths: Paths;
  registerId: string;
}

export function listConflicts(options: Options): { register: string; conflicts: ConflictInfo[] } {
  readRegisterConfig(options.paths, options.registerId);
  const db = openRegisterDatabase(options.paths, options.registerId, "open");
  try {
    const conflicts = createConflictStore(db)
      .conflicts()
      .map((row) => {
        const wire = JSON.parse(row.body) as WireTransaction;
        return {
          id: row.id,
          reason: row.message,
          createdAt: row.created_at,
          refusedAt: row.status_at,
          currency: wire.currency,
          total: wire.total,
          lines: wire.lines.length,
        };
      });
    return { register: options.registerId, conflicts };
  } finally {
    db.close();
  }
}

export function resolveConflict(
  options: Options & { clock: Clock; id: string; action: "void" | "resend" },
): ResolveResult {
  const { paths, registerId, id, action } = options;
  readRegisterConfig(paths, registerId);
  const db = openRegisterDatabase(paths, registerId, "open");
  try {
    const store = createConflictStore(db);
    const done = store.resolve(
      id,
      action,
      registerId,
      new Date(options.clock.now()).toISOString(),
      fileHighWaterMark(paths, registerId),
    );
    if (done) return { register: registerId, changed: true, ...done };
    const earlier = store.resolution(id);
    if (earlier?.action === action) return { register: registerId, changed: false, ...earlier };
    if (earlier) {
      throw new UsageError(
        `conflict ${id} of register ${registerId} was already settled with --${earlier.action} at ${earlier.resolvedAt}`,
        "ConflictAlreadyResolved",
        `see pos sync conflicts --register ${registerId}`,
      );
    }
    throw new UsageError(
      `transaction ${id} is not a conflict of register ${registerId} (${paths.offlineDb(registerId)})`,
      "ConflictNotFound",
      `see pos sync conflicts --register ${registerId}`,
    );
  } finally {
    db.close();
  }
}
