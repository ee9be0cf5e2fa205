// A server app on fresh temp-file databases with the sample company, for app.inject tests (no port).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Db } from "../../../src/lib/db.js";
import { defaultFixturesDir, loadFixtures } from "../../../src/lib/fixtures.js";
import { buildApp } from "../../../src/server/app.js";
import { type OpenServerDataResult, openServerData } from "../../../src/server/data.js";
import { sqliteDbOf } from "../../../src/server/hq/sqlite.js";

export const ADMIN = "adm_test-token";

export interface Harness {
  app: FastifyInstance;
  clock: VirtualClock;
  opened: OpenServerDataResult;
  /** HQ's SQLite connection, to look at rows directly. */
  hqDb: Db;
  dir: string;
  /** Activates a register and answers its device token. */
  device(register: string): Promise<string>;
  close(): Promise<void>;
}

const fixtures = loadFixtures(defaultFixturesDir());

export async function createHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "pos-server-unit-"));
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 9));
  // loadFixtures normalises rows in place, so each harness gets its own copy.
  const opened = await openServerData({ dataDir: dir, clock, fixtures: () => structuredClone(fixtures) });
  const app = buildApp({ data: opened.data, clock, adminToken: ADMIN, version: "test" });
  await app.ready();
  return {
    app,
    clock,
    opened,
    hqDb: sqliteDbOf(opened.data.hq) as Db,
    dir,
    device: async (register) => {
      const r = await app.inject({
        method: "POST",
        url: "/v1/devices/activate",
        headers: { authorization: `Bearer ${ADMIN}` },
        payload: { register },
      });
      return (r.json() as { token: string }).token;
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
