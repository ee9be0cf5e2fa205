// One HqStore over an engine's Sql: the groups bound to the SQL written once for both engines.
import { InternalError } from "../../lib/errors.js";
import type { HqSource } from "../cdx/generate.js";
import { generateOnWorker } from "../cdx/generate-protocol.js";
import * as databases from "./databases.js";
import * as distribution from "./distribution.js";
import { asyncCustomerStore, deviceStore, registerStatusStore, staffLogonStore } from "./register-facing.js";
import type { Sql } from "./sql.js";
import type { HqStore } from "./store.js";
import { masterDataStore } from "./tracked.js";
import { uploadStore } from "./uploads.js";

const SCHEDULES_KEY = "distribution_schedules";

export interface EngineParts {
  sql: Sql;
  location: string;
  /** What the CDX thread opens for a run's snapshot; undefined: none possible (an in-memory SQLite HQ). */
  source: HqSource | undefined;
  close(): Promise<void>;
}

export function assembleHqStore(parts: EngineParts): HqStore {
  const { sql } = parts;
  let open = true;
  return {
    engine: sql.engine,
    location: parts.location,
    get open() {
      return open;
    },
    masterData: masterDataStore(sql),
    devices: deviceStore(sql),
    staffLogon: staffLogonStore(sql),
    registerStatus: registerStatusStore(sql),
    asyncCustomers: asyncCustomerStore(sql),
    uploads: uploadStore(sql),
    state: {
      get: (key) => distribution.readState(sql, key),
      set: (key, value) => distribution.writeState(sql, key, value),
    },
    downloadSessions: {
      find: (id) => distribution.findSession(sql, id),
      list: (filter) => distribution.listSessions(sql, filter),
      unfinished: (database) => distribution.unfinishedSessions(sql, database),
      blocking: (row) => distribution.blockingSession(sql, row),
      report: (id, report, now) => distribution.reportStatus(sql, id, report, now),
    },
    distribution: {
      listDatabases: () => databases.listDatabases(sql),
      findDatabase: (name) => databases.findDatabase(sql, name),
      setPaused: (name, paused) => databases.setPaused(sql, name, paused),
      reconcileDatabases: (now) => databases.reconcileDatabases(sql, now),
      reconcileRegisterDatabase: (register, now) => databases.reconcileRegisterDatabase(sql, register, now),
      offlineExclusion: (register) => databases.offlineExclusion(sql, register),
      interruptedChannelSessions: () => distribution.interruptedChannelSessions(sql),
      rerunSession: (id) => distribution.rerunSession(sql, id),
      cancelSession: (id, now) => distribution.cancelSession(sql, id, now),
      packagedVersion: (database, job) => distribution.packagedVersion(sql, database, job),
      reservePackage: (reservation) => distribution.reservePackage(sql, reservation),
      dropReserved: (ids) => distribution.dropReserved(sql, ids),
      recordPackages: (records, version, now) => distribution.recordPackages(sql, records, version, now),
      dropUnfinishedRuns: () => distribution.dropUnfinishedRuns(sql),
      writePackages: async (plans) => {
        // The run reads HQ through a second connection (a snapshot), which an in-memory database cannot have.
        if (!parts.source) throw new InternalError("distribution runs need HQ in a file, not in memory");
        return generateOnWorker({ source: parts.source, plans: [...plans] });
      },
      readSchedules: () => distribution.readState(sql, SCHEDULES_KEY),
      writeSchedules: (json) => distribution.writeState(sql, SCHEDULES_KEY, json),
      readTryCount: () => distribution.readTryCount(sql),
      writeTryCount: (tryCount) => distribution.writeTryCount(sql, tryCount),
    },
    async close() {
      if (!open) return;
      open = false;
      await parts.close();
    },
  };
}
