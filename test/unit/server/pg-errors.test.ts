// What `pos server start --database` says when PostgreSQL refuses: the exit code of the kind, host, database, fix.
import { describe, expect, it } from "vitest";
import { ExitCode, type PosError } from "../../../src/lib/errors.js";
import { describePgError, parsePgUrl } from "../../../src/server/hq/postgres.js";
import { HqUnavailableError } from "../../../src/server/hq/sql.js";

const target = parsePgUrl("postgres://pos:secret@db.example.com:6543/pos_hq");

describe("parsePgUrl", () => {
  it("reads host, port, database and user; the display form has no password", () => {
    expect(target).toMatchObject({ host: "db.example.com", port: 6543, database: "pos_hq", user: "pos" });
    expect(target.display).toBe("postgres://pos@db.example.com:6543/pos_hq");
    expect(parsePgUrl("postgresql://u@h/d")).toMatchObject({ port: 5432, database: "d" });
  });

  it.each([
    ["http://h/d", /http:\/\/ is not a PostgreSQL URL/],
    ["postgres://h", /names no database/],
    ["postgres://u:pw@:5432/d", /is not a URL|names no host/],
    ["::", /is not a URL/],
  ])("refuses %s as bad input, without echoing a password", (url, message) => {
    expect(() => parsePgUrl(url)).toThrow(message);
    try {
      parsePgUrl(url);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(ExitCode.usage);
      expect((error as Error).message).not.toContain("pw@");
    }
  });
});

describe("describePgError", () => {
  it.each([
    [{ code: "ECONNREFUSED" }, ExitCode.unreachable, /connection refused/],
    [{ code: "ETIMEDOUT" }, ExitCode.unreachable, /timed out/],
    [{ code: "EHOSTUNREACH" }, ExitCode.unreachable, /no route to host/],
    [{ code: "ENOTFOUND" }, ExitCode.unreachable, /host db\.example\.com is not known/],
    [{ message: "timeout expired" }, ExitCode.unreachable, /timeout expired/],
    [{ code: "28P01", message: "password authentication failed" }, ExitCode.usage, /refused user pos: wrong password/],
    [{ code: "28000", message: "no pg_hba.conf entry" }, ExitCode.usage, /refused user pos: no pg_hba\.conf entry/],
    [{ code: "3D000" }, ExitCode.usage, /database pos_hq does not exist/],
    [{ code: "42501", message: "permission denied for schema public" }, ExitCode.usage, /may not create HQ's tables/],
  ])("%o → exit %i", (error: { code?: string; message?: string }, exitCode, message) => {
    const described = describePgError(Object.assign(new Error(error.message ?? "x"), error), target) as PosError;
    expect(described.exitCode).toBe(exitCode);
    expect(described.message).toMatch(message);
    expect(described.message).toContain("db.example.com:6543 (database pos_hq)");
    expect(described.fix).toBeTruthy();
  });

  it("looks through the 503 wrapper of a connection failure", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const described = describePgError(new HqUnavailableError("not reachable", { cause }), target) as PosError;
    expect(described.exitCode).toBe(ExitCode.unreachable);
  });
});

describe("a distribution run whose PostgreSQL snapshot cannot be opened", () => {
  it("comes back from the package thread as unavailable (answered 503), not as a defect", async () => {
    const { createServer } = await import("node:net");
    const { generateOnWorker } = await import("../../../src/server/cdx/generate-protocol.js");
    // A loopback port nothing listens on: the snapshot's connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = await generateOnWorker({
      source: { engine: "postgres", url: `postgres://pos:secret@127.0.0.1:${port}/pos_hq` },
      plans: [],
    });
    expect(outcome).toMatchObject({ ok: false, unavailable: true, message: expect.stringMatching(/ECONNREFUSED/) });
  });
});
