// The doctor's checks are pure functions of a register's facts: each case changes one fact of a healthy register.
import { describe, expect, it } from "vitest";
import {
  databaseIntegrity,
  downloads,
  failedSessionFix,
  fileModes,
  numberSequence,
  runChecks,
  serverAnswers,
  serverClock,
  serverToken,
  serverUrl,
  uploadsInDoubt,
  uploadsPending,
} from "../../../src/doctor/checks.js";
import type { RegisterFacts } from "../../../src/doctor/types.js";
import type { DownloadSession } from "../../../src/lib/api-sync.js";

const NOW = Date.UTC(2026, 0, 5, 9);
const URL_A = "http://127.0.0.1:7100";

function healthy(): RegisterFacts {
  return {
    register: "SEA01-R1",
    store: "SEA01",
    database: "SEA01-R1-OFFLINE",
    supportsOffline: true,
    now: NOW,
    mode: { mode: "online", since: NOW - 60_000, reason: null },
    server: {
      url: URL_A,
      reachable: true,
      outcome: "ok",
      ms: 3,
      serverDate: NOW,
      localDate: NOW,
      tokenStatus: 200,
      tokenMessage: null,
    },
    home: { file: "/h/server/server.json", url: URL_A, pid: 1, alive: true },
    sessions: [],
    sessionsError: null,
    db: {
      file: "/h/registers/SEA01-R1/offline.db",
      exists: true,
      openError: null,
      quickCheck: "ok",
      sizeBytes: 150_000,
      freeBytes: 10 * 1024 ** 3,
      mode: 0o600,
      configFile: "/h/registers/SEA01-R1/register.json",
      configMode: 0o600,
    },
    local: {
      readiness: { ok: true },
      products: 320,
      prices: 320,
      applied: ["1010", "1040", "1060", "1070", "1090"].map((job, i) => ({ job, session: 10 + i, toVersion: 5 })),
      pending: { count: 0, oldest: null },
      conflicts: [],
      inDoubt: [],
      reservedTo: 50,
      maxSeq: 12,
      gaps: [],
      highWater: 50,
      highWaterError: null,
    },
  };
}

function session(id: number, status: DownloadSession["status"], message: string | null = null): DownloadSession {
  return {
    id,
    job: "1040",
    database: "SEA01-R1-OFFLINE",
    status,
    message,
    full: false,
    fromVersion: 5,
    toVersion: 5 + id,
    rows: { prices: 1 },
    size: 100,
    sha256: "x",
    attempts: status === "Suspended" ? 3 : 0,
    createdAt: new Date(NOW).toISOString(),
    requestedAt: null,
    downloadedAt: null,
    appliedAt: null,
  };
}

const with_ = (change: (f: RegisterFacts) => void): RegisterFacts => {
  const f = healthy();
  change(f);
  return f;
};

describe("doctor checks", () => {
  it("a healthy register: every check ok, no fix", () => {
    const checks = runChecks(healthy());
    expect(checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(checks.every((c) => c.fix === null)).toBe(true);
  });

  it.each([
    [
      "server down, started here: start it on its port",
      with_((f) => {
        f.server.reachable = false;
        f.server.outcome = "server refused the connection";
      }),
      serverAnswers,
      "problem",
      "pos server start --port 7100",
    ],
    [
      "server moved: repoint the register",
      with_((f) => {
        f.server.reachable = false;
        f.home = { file: "/h/server/server.json", url: "http://127.0.0.1:7200", pid: 1, alive: true };
      }),
      serverAnswers,
      "problem",
      "pos register set SEA01-R1 --server http://127.0.0.1:7200",
    ],
    [
      "server.json of a killed server: a warning, no repointing",
      with_((f) => {
        f.home = { file: "/h/server/server.json", url: "http://127.0.0.1:7200", pid: 99, alive: false };
      }),
      serverUrl,
      "warning",
      null,
    ],
    [
      "token revoked: provision again (online-only keeps --no-offline)",
      with_((f) => {
        f.server.tokenStatus = 401;
        f.supportsOffline = false;
      }),
      serverToken,
      "problem",
      `pos register provision SEA01-R1 --server ${URL_A} --no-offline`,
    ],
    [
      "clock 10 minutes fast",
      with_((f) => {
        f.server.serverDate = NOW - 600_000;
      }),
      serverClock,
      "problem",
      "sync this machine's clock with the server's (timedatectl set-ntp true)",
    ],
    [
      "clock 2 minutes off is a warning",
      with_((f) => {
        f.server.serverDate = NOW + 120_000;
      }),
      serverClock,
      "warning",
      "sync this machine's clock with the server's (timedatectl set-ntp true)",
    ],
    [
      "pending for 2 hours is a warning",
      with_((f) => {
        if (f.local) f.local.pending = { count: 2, oldest: new Date(NOW - 7_200_000).toISOString() };
      }),
      uploadsPending,
      "warning",
      "pos sync push --register SEA01-R1",
    ],
    [
      "pending for 2 days is a problem",
      with_((f) => {
        if (f.local) f.local.pending = { count: 2, oldest: new Date(NOW - 2 * 86_400_000).toISOString() };
      }),
      uploadsPending,
      "problem",
      "pos sync push --register SEA01-R1",
    ],
    [
      "register.json readable by others",
      with_((f) => {
        f.db.configMode = 0o644;
      }),
      fileModes,
      "problem",
      "chmod 600 /h/registers/SEA01-R1/register.json",
    ],
    [
      "corrupt database: moved aside, provisioned again",
      with_((f) => {
        f.db.quickCheck = "*** in database main *** Page 3 is never used";
        f.local = null;
      }),
      databaseIntegrity,
      "problem",
      "pos register reset SEA01-R1 --yes && pos cdx run 9999 --full --db SEA01-R1-OFFLINE && pos sync pull --register SEA01-R1",
    ],
    [
      "a stored number above the high-water mark",
      with_((f) => {
        if (f.local) f.local.maxSeq = 51;
      }),
      numberSequence,
      "problem",
      "pos register reset SEA01-R1 --yes",
    ],
    [
      "a sale in doubt for 5 minutes: push settles it",
      with_((f) => {
        if (f.local)
          f.local.inDoubt = [{ id: "SEA01-R1-000013", total: 100, statusAt: new Date(NOW - 300_000).toISOString() }];
      }),
      uploadsInDoubt,
      "problem",
      "pos sync push --register SEA01-R1",
    ],
    [
      "a sale in doubt for a second is in flight: a warning",
      with_((f) => {
        if (f.local)
          f.local.inDoubt = [{ id: "SEA01-R1-000013", total: 100, statusAt: new Date(NOW - 1000).toISOString() }];
      }),
      uploadsInDoubt,
      "warning",
      "pos sync push --register SEA01-R1",
    ],
    [
      "recorded gaps are reported, not a problem",
      with_((f) => {
        if (f.local) f.local.gaps = [{ first: 13, last: 50, recordedAt: "x", reason: "crash" }];
      }),
      numberSequence,
      "ok",
      null,
    ],
  ])("%s", (_name, facts, check, status, fix) => {
    const result = check(facts);
    expect(result.status).toBe(status);
    expect(result.fix).toBe(fix);
  });

  it.each([
    ["checksum mismatch: SHA-256 is …", "Suspended", "pos cdx cancel 7 && pos cdx run 1040 --db SEA01-R1-OFFLINE"],
    ["line 3: not valid JSON (Unexpected token)", "Apply failed", "pos cdx cancel 7 && pos cdx run 1040"],
    ["version gap: package starts at 9 but database is at 5 for job 1040", "Suspended", "pos cdx rerun 7 && "],
    ["server unreachable: connection refused", "Download failed", "pos sync pull --register SEA01-R1"],
  ] as const)("a session failed with %j → the fix that fits", (message, status, fix) => {
    const facts = with_((f) => {
      f.sessions = [session(7, status, message)];
    });
    expect(failedSessionFix(facts, session(7, status, message)).fix.startsWith(fix)).toBe(true);
    const check = downloads(facts).find((c) => c.id === "downloads.1040");
    expect(check).toMatchObject({ status: "problem" });
    expect(check?.message).toContain(`session 7 is ${status}`);
  });

  it("counts sessions behind per job: 2 is a warning, 3 a problem", () => {
    const two = downloads(with_((f) => (f.sessions = [session(20, "Available"), session(21, "Available")])));
    expect(two.find((c) => c.id === "downloads.1040")).toMatchObject({
      status: "warning",
      message: "1040 is 2 sessions behind: session 11 applied (version 5), the server has up to version 26",
    });
    const three = downloads(
      with_((f) => (f.sessions = [session(20, "Available"), session(21, "Requested"), session(22, "Downloaded")])),
    );
    expect(three.find((c) => c.id === "downloads.1040")?.status).toBe("problem");
    expect(three.filter((c) => c.status !== "ok").map((c) => c.id)).toEqual(["downloads.1040"]);
  });
});
