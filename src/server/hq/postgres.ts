// HQ on PostgreSQL (`pos server start --database postgres://…`): connect, explain refusals in one line, migrate.
import type pg from "pg";
import { UnreachableError, UsageError } from "../../lib/errors.js";
import { assembleHqStore } from "./assemble.js";
import { PG_MIGRATIONS } from "./pg-schema.js";
import { createPool, inTransaction, pgSql } from "./pg-sql.js";
import { HqUnavailableError } from "./sql.js";
import type { HqStore } from "./store.js";

export interface PgTarget {
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** postgres://user@host:port/database: the URL without its password, fit for messages and status files. */
  display: string;
}

const FIX_URL = "use --database postgres://user:password@host:5432/database (or POS_DATABASE_URL)";

/** Checks a --database value; anything but a postgres:// URL with a host and a database is bad input (exit 2). */
export function parsePgUrl(text: string): PgTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--database: "${redact(text)}" is not a URL`, "BadDatabaseUrl", FIX_URL);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new UsageError(
      `--database: ${url.protocol.replace(/:$/, "")}:// is not a PostgreSQL URL ("${redact(text)}")`,
      "BadDatabaseUrl",
      FIX_URL,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!url.hostname || !database || database.includes("/")) {
    throw new UsageError(
      `--database: "${redact(text)}" names no ${url.hostname ? "database" : "host"}`,
      "BadDatabaseUrl",
      FIX_URL,
    );
  }
  const port = url.port === "" ? 5432 : Number(url.port);
  const user = decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || "postgres";
  return {
    url: text,
    host: url.hostname,
    port,
    database,
    user,
    display: `postgres://${encodeURIComponent(user)}@${url.host}/${encodeURIComponent(database)}`,
  };
}

/** A URL as it may appear in a message: never its password. */
function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
}

/** A refusal from PostgreSQL or the network, as one line naming the host, the database and the fix. */
export function describePgError(error: unknown, target: PgTarget): Error {
  // A connection failure arrives wrapped (HqUnavailableError, the 503 of a running server): its cause tells which.
  const err = (error instanceof HqUnavailableError ? error.cause : error) as { code?: string; message?: string };
  const where = `PostgreSQL at ${target.host}:${target.port} (database ${target.database})`;
  switch (err.code) {
    case "ECONNREFUSED":
      return new UnreachableError(
        `cannot reach ${where}: connection refused`,
        "DatabaseUnreachable",
        `start PostgreSQL there, or fix host and port in --database`,
      );
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new UnreachableError(
        `cannot reach ${where}: ${err.code === "ETIMEDOUT" ? "timed out" : "no route to host"}`,
        "DatabaseUnreachable",
        "check the host, the port and any firewall between here and PostgreSQL",
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new UnreachableError(
        `cannot reach ${where}: host ${target.host} is not known`,
        "DatabaseUnreachable",
        "fix the host in --database",
      );
    case "28P01":
    case "28000":
      return new UsageError(
        `${where} refused user ${target.user}: ${err.code === "28P01" ? "wrong password, or no such role" : (err.message ?? "not allowed")}`,
        "DatabaseLoginFailed",
        `fix the user and password in --database, or create the role: CREATE ROLE ${target.user} LOGIN PASSWORD '…'`,
      );
    case "3D000":
      return new UsageError(
        `${where}: database ${target.database} does not exist`,
        "DatabaseMissing",
        `create it: CREATE DATABASE ${target.database} OWNER ${target.user}; (or createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database})`,
      );
    case "42501":
      return new UsageError(
        `${where}: user ${target.user} may not create HQ's tables (${err.message ?? "permission denied"})`,
        "DatabasePrivileges",
        `as the database's owner run: GRANT CREATE, USAGE ON SCHEMA public TO ${target.user}; (or make ${target.user} the database's owner)`,
      );
    default:
      if (/timeout/i.test(err.message ?? "")) {
        return new UnreachableError(
          `cannot reach ${where}: ${err.message}`,
          "DatabaseUnreachable",
          "check the host, the port and any firewall between here and PostgreSQL",
        );
      }
      return new UsageError(
        `${where}: ${err.message ?? String(err)}${err.code ? ` (SQLSTATE ${err.code})` : ""}`,
        "DatabaseFailed",
        "check --database and the server's PostgreSQL log",
      );
  }
}

/**
 * Applies the migrations past the highest version in pos_migrations in one transaction (PostgreSQL's DDL is
 * transactional: a failed start leaves no half schema), under an advisory lock: two servers starting at once
 * against a new database migrate it once.
 */
export async function migratePg(pool: pg.Pool): Promise<number> {
  await inTransaction(pool, "BEGIN", async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(7100016)");
    await client.query(
      "CREATE TABLE IF NOT EXISTS pos_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ version: number | null }>(
      "SELECT MAX(version) AS version FROM pos_migrations",
    );
    const current = rows[0]?.version ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new UsageError(
        `HQ's schema version ${current} is newer than this program knows (${PG_MIGRATIONS.length})`,
        "SchemaTooNew",
        "upgrade pos",
      );
    }
    for (let version = current; version < PG_MIGRATIONS.length; version++) {
      await client.query(PG_MIGRATIONS[version] as string);
      await client.query("INSERT INTO pos_migrations (version) VALUES ($1)", [version + 1]);
    }
  });
  return PG_MIGRATIONS.length;
}

/** Connects, migrates, and answers HQ's store; every refusal is one line (describePgError). */
export async function openPostgresHq(url: string): Promise<HqStore> {
  const target = parsePgUrl(url);
  const pool = createPool(url);
  // An idle client the server lost (PostgreSQL restarted) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  try {
    await migratePg(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof UsageError || error instanceof UnreachableError) throw error;
    throw describePgError(error, target);
  }
  return assembleHqStore({
    sql: pgSql(pool),
    location: target.display,
    source: { engine: "postgres", url },
    close: () => pool.end(),
  });
}
