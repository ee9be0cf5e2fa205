// End-to-end: `pos server start --database` refusals — one line naming host, database and the fix, the exit code
// of its kind, no stack trace, nothing listening and no server.json left behind.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunResult, runPos, tempHome } from "../helpers/cli.js";
import { PG_PASSWORD, usePostgres } from "../helpers/postgres.js";

const pg = usePostgres();
const home = tempHome("pos-hq-pg-errors-");
afterAll(() => home.remove());

async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const r = await runPos(["server", "start", "--port", "0", ...args], { home: home.home, env, timeoutMs: 30_000 });
  expect(existsSync(join(home.home, "server", "server.json"))).toBe(false);
  return r;
}

/** Exactly one line on stderr, no stack trace. */
function oneLine(r: RunResult): string {
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0] ?? "";
}

/** A loopback port nothing listens on (a privileged one: no test server or cluster can be given it). */
const REFUSED_PORT = 1;

describe("pos server start --database refusals", () => {
  it.each([
    ["mysql://pos@127.0.0.1/pos_hq", /mysql:\/\/ is not a PostgreSQL URL/],
    ["not a url", /"not a url" is not a URL/],
    ["postgres://pos@127.0.0.1", /names no database/],
  ])("a bad URL %s: exit 2", async (url, message) => {
    const r = await start(["--database", url]);
    expect(r.code).toBe(2);
    const line = oneLine(r);
    expect(line).toMatch(message);
    expect(line).toMatch(/postgres:\/\/user:password@host:5432\/database/);
  });

  it("a refused port: exit 3, naming host, port and database", async () => {
    const port = REFUSED_PORT;
    const r = await start(["--database", `postgres://pos:x@127.0.0.1:${port}/pos_hq`]);
    expect(r.code).toBe(3);
    expect(oneLine(r)).toMatch(
      new RegExp(
        `cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} \\(database pos_hq\\): connection refused — start`,
      ),
    );
  });

  it("a wrong password: exit 2, never echoing the password", async () => {
    const r = await start(["--database", pg().url("postgres", { password: "wrong-secret" })]);
    expect(r.code).toBe(2);
    const line = oneLine(r);
    expect(line).toMatch(
      new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${pg().port} \\(database postgres\\) refused user pos: wrong password`),
    );
    expect(line).toMatch(/fix the user and password in --database/);
    expect(line).not.toContain("wrong-secret");
  });

  it("a database that does not exist: exit 2 with the CREATE DATABASE to run", async () => {
    const r = await start(["--database", pg().url("no_such_db")]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/database no_such_db does not exist — create it: CREATE DATABASE no_such_db OWNER pos;/);
  });

  it("a user who may not create tables: exit 2 with the GRANT to run, and no half schema", async () => {
    await pg().query("CREATE ROLE clerk LOGIN PASSWORD 'clerk-pw'");
    const url = await pg().createDatabase("pos_clerk");
    expect(url).toContain("pos_clerk");
    const r = await start(["--database", pg().url("pos_clerk", { user: "clerk", password: "clerk-pw" })]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(
      /user clerk may not create HQ's tables .* — as the database's owner run: GRANT CREATE, USAGE ON SCHEMA public TO clerk;/,
    );
    expect(await pg().query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", "pos_clerk")).toEqual([]);
  });

  it("takes POS_DATABASE_URL, and --database wins over it", async () => {
    const fromEnv = await start([], { POS_DATABASE_URL: "mysql://x@127.0.0.1/db" });
    expect(fromEnv.code).toBe(2);
    expect(oneLine(fromEnv)).toMatch(/mysql:\/\/ is not a PostgreSQL URL/);
    const port = REFUSED_PORT;
    const flag = await start(["--database", `postgres://pos:${PG_PASSWORD}@127.0.0.1:${port}/pos_hq`], {
      POS_DATABASE_URL: "mysql://x@127.0.0.1/db",
    });
    expect(flag.code).toBe(3);
    expect(oneLine(flag)).toContain(`127.0.0.1:${port}`);
  });
});
