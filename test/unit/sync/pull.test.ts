import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DownloadSession } from "../../../src/lib/api-sync.js";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Db } from "../../../src/lib/db.js";
import { UnreachableError } from "../../../src/lib/errors.js";
import { openOfflineDatabase } from "../../../src/schema/offline.js";
import { releasePackageReader } from "../../../src/sync/package/apply.js";
import type { PackageChange } from "../../../src/sync/package/format.js";
import { type PullProgress, pull } from "../../../src/sync/pull.js";
import { lastSyncLog } from "../../../src/sync/sync-log.js";
import { type FakeHttp, fakeHttp, refused } from "../../helpers/fake-http.js";
import { count, price, product, type TempDir, tempDir, writeSessionPackage } from "../package/helpers.js";

const DATABASE = "SEA01-R1-OFFLINE";
const LIST = `GET /v1/sync/sessions?database=${DATABASE}`;

let dir: TempDir;
let db: Db;
const clock = new VirtualClock(Date.UTC(2026, 2, 1, 12));
beforeEach(() => {
  dir = tempDir();
  db = openOfflineDatabase(":memory:");
});
afterEach(() => {
  db.close();
  dir.remove();
});
afterAll(() => releasePackageReader());

/** A session the server lists, with its package served at /v1/sync/sessions/:id/package. */
async function offer(
  http: FakeHttp,
  id: number,
  changes: PackageChange[],
  fields: Partial<DownloadSession> = {},
): Promise<DownloadSession> {
  const { file, expected } = await writeSessionPackage(dir, DATABASE, { session: id, from: id - 1, to: id }, changes);
  http.files.set(`/v1/sync/sessions/${id}/package`, file);
  return {
    id,
    job: "1040",
    database: DATABASE,
    status: "Available",
    message: null,
    full: false,
    fromVersion: id - 1,
    toVersion: id,
    rows: {},
    size: expected.size,
    sha256: expected.sha256,
    attempts: 0,
    createdAt: "2026-03-01T11:00:00.000Z",
    requestedAt: null,
    downloadedAt: null,
    appliedAt: null,
    ...fields,
  };
}

/** The fake server: lists `sessions`, accepts every status report and remembers them in order. */
function server(sessions: DownloadSession[]): { http: FakeHttp; reports: string[] } {
  const reports: string[] = [];
  const http = fakeHttp({ [LIST]: () => ({ status: 200, body: { sessions } }) });
  for (const s of sessions) {
    http.route(`POST /v1/sync/sessions/${s.id}/status`, (body) => {
      const { status, message } = body as { status: string; message?: string };
      reports.push(`${s.id} ${status}${message ? `: ${message}` : ""}`);
      return { status: 200, body: { session: { ...s, status } } };
    });
  }
  return { http, reports };
}

const run = (http: FakeHttp, onProgress?: (e: PullProgress) => void) =>
  pull({ http, db, clock, database: DATABASE, workDir: dir.path("work"), ...(onProgress ? { onProgress } : {}) });

describe("pull", () => {
  it("applies pending sessions in id order, reporting Requested, Downloaded, Applied for each", async () => {
    const { http, reports } = server([]);
    const second = await offer(http, 2, [{ table: "prices", op: "upsert", row: price("P1", 1299) }]);
    const first = await offer(http, 1, [{ table: "products", op: "upsert", row: product("P1") }]);
    const done = await offer(http, 3, [], { status: "Applied" });
    http.route(LIST, () => ({ status: 200, body: { sessions: [second, done, first] } }));
    for (const s of [first, second]) {
      http.route(`POST /v1/sync/sessions/${s.id}/status`, (body) => {
        reports.push(`${s.id} ${(body as { status: string }).status}`);
        return { status: 200, body: { session: s } };
      });
    }
    const events: string[] = [];
    const result = await run(http, (e) => events.push(`${e.kind} ${e.session.id}`));
    expect(result).toMatchObject({ database: DATABASE, applied: 2, failed: 0, rows: 2, stoppedBy: null });
    expect(reports).toEqual(["1 Requested", "1 Downloaded", "1 Applied", "2 Requested", "2 Downloaded", "2 Applied"]);
    expect(events).toEqual(["session 1", "downloaded 1", "applied 1", "session 2", "downloaded 2", "applied 2"]);
    expect(db.prepare("SELECT amount FROM prices WHERE product_id = 'P1'").get()).toEqual({ amount: 1299 });
    expect(count(db, "applied_sessions")).toBe(2);
    expect(lastSyncLog(db, "download")).toMatchObject({ result: "ok", sessions: 2, rows: 2 });
  });

  it("nothing to pull is recorded as such", async () => {
    const { http } = server([]);
    expect(await run(http)).toMatchObject({ sessions: [], applied: 0 });
    expect(lastSyncLog(db, "download")?.result).toBe("nothing");
  });

  it("a failed download is reported and stops the round: later sessions wait", async () => {
    const { http } = server([]);
    const first = await offer(http, 1, [{ table: "products", op: "upsert", row: product("P1") }]);
    const second = await offer(http, 2, [{ table: "products", op: "upsert", row: product("P2") }]);
    http.files.set("/v1/sync/sessions/1/package", {
      status: 410,
      body: { error: { code: "Gone", message: "package removed" } },
    });
    const { http: fake, reports } = server([first, second]);
    fake.files.set("/v1/sync/sessions/1/package", http.files.get("/v1/sync/sessions/1/package") ?? "");
    fake.files.set("/v1/sync/sessions/2/package", http.files.get("/v1/sync/sessions/2/package") ?? "");
    const result = await run(fake);
    expect(result).toMatchObject({ applied: 0, failed: 1 });
    expect(result.stoppedBy).toBe(
      "session 1 (job 1040): Download failed — server answered 410: package removed (http://127.0.0.1:1)",
    );
    expect(reports).toEqual([
      "1 Requested",
      "1 Download failed: server answered 410: package removed (http://127.0.0.1:1)",
    ]);
    expect(count(db, "products")).toBe(0);
    expect(lastSyncLog(db, "download")?.result).toBe("failed");
  });

  it("a package that is not what the session promised is Apply failed and changes nothing", async () => {
    const { http } = server([]);
    const session = await offer(http, 1, [{ table: "products", op: "upsert", row: product("P1") }], {
      sha256: "0".repeat(64),
    });
    const { http: fake, reports } = server([session]);
    fake.files.set("/v1/sync/sessions/1/package", http.files.get("/v1/sync/sessions/1/package") ?? "");
    const result = await run(fake);
    expect(result.sessions[0]).toMatchObject({ status: "Apply failed" });
    expect(reports.at(-1)).toMatch(/^1 Apply failed: .*sha/i);
    expect(count(db, "products")).toBe(0);
    expect(count(db, "applied_sessions")).toBe(0);
  });

  it("a suspended session stops the round without a download and says how to go on", async () => {
    const { http } = server([]);
    const session = await offer(http, 4, [], { status: "Suspended", attempts: 3 });
    const { http: fake, reports } = server([session]);
    const result = await run(fake);
    expect(result.sessions[0]).toMatchObject({ status: "Suspended" });
    expect(result.stoppedBy).toMatch(/pos cdx rerun 4 or pos cdx cancel 4/);
    expect(reports).toEqual([]);
    expect(fake.requests.map((r) => r.path)).toEqual([`/v1/sync/sessions?database=${DATABASE}`]);
  });

  it("an unreachable server is exit 3 and recorded as a failed download", async () => {
    const http = fakeHttp({
      [LIST]: () => {
        throw refused("GET", "/v1/sync/sessions");
      },
    });
    await expect(run(http)).rejects.toBeInstanceOf(UnreachableError);
    expect(lastSyncLog(db, "download")?.result).toBe("failed");
  });
});
