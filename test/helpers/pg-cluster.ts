// A throwaway PostgreSQL 15 cluster (tests, benchmarks): initdb into a temp dir, pg_ctl on a free loopback port.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** PostgreSQL 15 (these machines'); a machine whose Debian ships another major version uses the newest installed. */
export const PG_BIN = findPgBin();

function findPgBin(): string {
  const root = "/usr/lib/postgresql";
  const preferred = join(root, "15", "bin");
  if (existsSync(join(preferred, "initdb"))) return preferred;
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? join(root, versions[0], "bin") : preferred;
}
export const PG_USER = "pos";
export const PG_PASSWORD = "pos-test-password";

export interface PgCluster {
  host: "127.0.0.1";
  port: number;
  dir: string;
  /** postgres://pos:…@127.0.0.1:<port>/<database> */
  url(database: string, options?: { user?: string; password?: string }): string;
  /** Creates a new, empty database; answers its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL as the superuser in a database (default postgres). */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, database?: string): Promise<T[]>;
  /** Stops PostgreSQL (fast shutdown) keeping its data: what a server sees when its database goes away. */
  pause(): void;
  /** Starts it again on the same port with the same data. */
  resume(): void;
  stop(): void;
}

interface Cluster extends PgCluster {
  stopped: boolean;
}

const running = new Set<Cluster>();
let exitHook = false;

/** As root initdb refuses to run: the cluster then belongs to the unprivileged `postgres` user. */
function asClusterUser(command: string, args: string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args };
  return { command: "runuser", args: ["-u", "postgres", "--", command, ...args] };
}

function run(command: string, args: string[]): void {
  const as = asClusterUser(command, args);
  const result = spawnSync(as.command, as.args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface StartPostgresOptions {
  /** Durable commits (fsync on): what a benchmark must measure. Tests run without fsync. */
  durable?: boolean;
}

/**
 * Starts a cluster (superuser `pos` with a password; connections over 127.0.0.1 need it). Never skips: without
 * PostgreSQL 15 it throws, naming what to install.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgCluster> {
  if (!existsSync(join(PG_BIN, "initdb"))) {
    throw new Error(
      `PostgreSQL is not installed (${PG_BIN}/initdb is missing): apt-get install postgresql (.ci/run does it)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "pos-pg-"));
  const data = join(dir, "data");
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const settings = [
    "-c listen_addresses=127.0.0.1",
    `-k ${dir}`,
    "-c max_connections=60",
    "-c shared_buffers=32MB",
    ...(options.durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]),
  ];
  // pg_ctl start on the cluster's port (first start, and after pause()); waits until it accepts connections.
  const startServer = () =>
    run(join(PG_BIN, "pg_ctl"), [
      "start",
      "-D",
      data,
      "-w",
      "-t",
      "30",
      "-l",
      join(dir, "postgres.log"),
      "-o",
      `-p ${cluster.port} ${settings.join(" ")}`,
    ]);
  const cluster: Cluster = {
    host: "127.0.0.1",
    port: 0,
    dir,
    stopped: false,
    url: (database, o = {}) =>
      `postgres://${encodeURIComponent(o.user ?? PG_USER)}:${encodeURIComponent(o.password ?? PG_PASSWORD)}@127.0.0.1:${cluster.port}/${database}`,
    async createDatabase(name) {
      const database = name ?? `pos_${Math.random().toString(36).slice(2, 10)}`;
      await cluster.query(`CREATE DATABASE ${database}`);
      return cluster.url(database);
    },
    async query(sql, database = "postgres") {
      const client = new pg.Client({ connectionString: cluster.url(database) });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
    pause() {
      run(join(PG_BIN, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-w"]);
    },
    resume() {
      startServer();
    },
    stop() {
      if (cluster.stopped) return;
      cluster.stopped = true;
      running.delete(cluster);
      if (cluster.port !== 0) {
        const as = asClusterUser(join(PG_BIN, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"]);
        spawnSync(as.command, as.args, { encoding: "utf8" });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(cluster);
  if (!exitHook) {
    exitHook = true;
    // A test process that dies between start and stop must not leave a postgres running.
    process.on("exit", () => {
      for (const c of [...running]) c.stop();
    });
  }
  try {
    run(join(PG_BIN, "initdb"), [
      "-D",
      data,
      "-U",
      PG_USER,
      `--pwfile=${pwfile}`,
      "--auth-host=scram-sha-256",
      "--auth-local=trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    for (let attempt = 0; ; attempt++) {
      cluster.port = await freePort();
      try {
        startServer();
        break;
      } catch (error) {
        // The free port was taken between the probe and the start: once more on another one.
        if (attempt >= 2) throw error;
      }
    }
    return cluster;
  } catch (error) {
    cluster.stop();
    throw error;
  }
}
