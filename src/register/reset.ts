// `pos register reset`: the explicit way past a damaged offline.db — set aside (never deleted), a new one created,
// numbering continuing above the register's high-water mark so no transaction number is ever used twice.
import { existsSync, renameSync } from "node:fs";
import type { Clock } from "../lib/clock.js";
import { OperationError, PosError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore } from "../offline/offline-store.js";
import { openOfflineDatabase } from "../schema/offline.js";
import { readRegisterConfig } from "./config.js";
import { fileHighWaterMark } from "./high-water.js";
import { openRegisterDatabase } from "./open.js";

export interface ResetResult {
  register: string;
  file: string;
  /** Where the damaged file (and its -wal/-shm) now is; null when the database was readable and empty of sales. */
  setAsideTo: string | null;
  /** What the old database held that the new one lacks. */
  lost: string;
  /** The next transaction number will be above this. */
  numbersAbove: number;
  next: string[];
}

export function resetRegisterDatabase(paths: Paths, clock: Clock, registerId: string): ResetResult {
  const config = readRegisterConfig(paths, registerId);
  const file = paths.offlineDb(registerId);
  const highWater = fileHighWaterMark(paths, registerId);
  let floor = highWater.read();
  let damage: string | null = null;
  try {
    const db = openRegisterDatabase(paths, registerId, "full");
    try {
      const local = createOfflineStore(db);
      const unsent = local.pendingSummary().count + local.inDoubt().length;
      if (unsent > 0) {
        throw new OperationError(
          `${file} is readable and holds ${unsent} sale(s) not yet at the server; nothing was changed`,
          "PendingSalesWouldBeLost",
          `upload them first: pos sync push --register ${registerId}`,
        );
      }
      floor = Math.max(floor, local.numberState(registerId).reservedTo);
    } finally {
      db.close();
    }
  } catch (error) {
    if (!(error instanceof PosError) || error.code !== "OfflineDatabaseDamaged") throw error;
    damage = error.message;
  }
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, "-");
  let setAsideTo: string | null = null;
  if (existsSync(file)) {
    setAsideTo = `${file}.damaged-${stamp}`;
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${setAsideTo}${suffix}`);
    }
  }
  const db = openOfflineDatabase(file);
  try {
    // Numbering continues above everything this register may have handed out.
    createOfflineStore(db).reserveNumbers(registerId, 0, { floor });
  } finally {
    db.close();
  }
  if (floor > highWater.read()) highWater.write(floor);
  return {
    register: registerId,
    file,
    setAsideTo,
    lost: damage
      ? "whatever the damaged file held that was not yet at the server (its pending sales cannot be read)"
      : "nothing: no sale was waiting to be uploaded",
    numbersAbove: floor,
    next: config.database
      ? [
          `pos cdx run 9999 --full --db ${config.database} (full packages for the new database)`,
          `pos sync pull --register ${registerId} (applies them: the register can sell offline again)`,
        ]
      : [],
  };
}
