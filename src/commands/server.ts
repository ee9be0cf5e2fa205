// `pos server start`: HQ + retail server in the foreground until Ctrl-C / SIGTERM.
import type { Command } from "commander";
import type { StoreRound } from "../lib/api-store.js";
import { UnreachableError, UsageError } from "../lib/errors.js";
import { action } from "./action.js";
import { type ConnectionOptions, leaf } from "./hq-action.js";

interface StartOptions {
  port: string;
  host: string;
  data?: string;
  fixtures?: string;
  channelDownloadInterval: string;
  logLevel?: string;
  logFile?: string;
  schedule?: string;
  tryCount?: string;
  database?: string;
  role?: string;
  stores?: string;
  hq?: string;
  hqTokenFile?: string;
  hqInterval?: string;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

export function register(program: Command): void {
  const server = program
    .command("server")
    .addHelpText(
      "after",
      "\nExamples:\n  pos server start --port 0\n  pos server start --log-level info --log-file server.log",
    );
  server
    .command("start")
    .description(
      "run HQ and the retail server (or, with --role, HQ only or a store server) in the foreground; prints the URL and where the admin token is",
    )
    .option("--port <port>", "TCP port; 0 picks a free one", "7100")
    .option("--host <address>", "address to bind (loopback unless you say otherwise)", "127.0.0.1")
    .option("--data <dir>", "folder for hq.db, channel-<store>.db and admin-token (default <home>/server)")
    .option(
      "--database <url>",
      "HQ on PostgreSQL, postgres://user:password@host:5432/database (env POS_DATABASE_URL; default: SQLite hq.db in --data)",
    )
    .option("--role <role>", "all (HQ and the retail server, default), hq (HQ only), store (a store server)")
    .option("--stores <ids>", "--role store: the stores whose channel databases this server holds, e.g. SEA01,TYO01")
    .option("--hq <url>", "--role store: HQ's URL, e.g. http://hq.example.com:7100")
    .option(
      "--hq-token-file <file>",
      "--role store: HQ's admin token (<hq home>/server/admin-token; or env POS_HQ_TOKEN)",
    )
    .option(
      "--hq-interval <seconds>",
      "--role store: seconds between rounds with HQ (pull packages, push P-0001); default 10",
    )
    .option("--fixtures <dir>", "sample data loaded into a new HQ (default: the bundled fixtures)")
    .option(
      "--channel-download-interval <seconds>",
      "apply the server's own channel database sessions every N seconds (0: at once, inside each pos cdx run)",
      "0",
    )
    .option("--log-level <level>", "log every request as a JSON line at this level: debug, info, warn, error")
    .option("--log-file <path>", "append the request log here (default level info); without it the log goes to stderr")
    .option(
      "--schedule <job=interval,…>",
      "recurring schedules, e.g. 1040=5m,1010=15m,9999=24h,ASYNC-CUSTOMERS=15m (off pauses one); saved at HQ (pos cdx schedules)",
    )
    .option("--try-count <n>", "failed attempts after which a download session is Suspended (default 3; saved at HQ)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos server start\n  pos server start --database postgres://pos:secret@127.0.0.1:5432/pos_hq   # HQ on PostgreSQL\n  POS_DATABASE_URL=postgres://pos:secret@db.example.com/pos_hq pos server start --host 0.0.0.0\n  pos server start --schedule 1040=5m,1010=15m,9999=off --try-count 5\n  pos server start --role hq --database postgres://pos:secret@db/pos_hq --port 7100\n  pos --home /srv/sea01 server start --role store --stores SEA01 --hq http://hq:7100 --hq-token-file hq-admin-token --port 7101\n  pos server start --log-level info --log-file server.log   # request id, register, route, status, time\n  pos --home /tmp/pos server start --port 0\n  pos --json server start --port 0   # prints {url, adminTokenFile, …}\n\nStops cleanly on Ctrl-C or SIGTERM (in-flight requests finish, databases close, exit 0).",
    )
    .action(
      action(async (deps, options: StartOptions) => {
        const port = Number(options.port);
        if (!/^\d+$/.test(options.port) || port > 65535) {
          throw new UsageError(`--port: expected a port number 0–65535, got "${options.port}"`);
        }
        const interval = Number(options.channelDownloadInterval);
        if (!/^\d+(\.\d+)?$/.test(options.channelDownloadInterval) || interval > 86_400) {
          throw new UsageError(
            `--channel-download-interval: expected seconds 0–86400, got "${options.channelDownloadInterval}"`,
          );
        }
        // The flag wins over the environment; an empty POS_DATABASE_URL means unset (SQLite).
        const database = options.database ?? (deps.env.POS_DATABASE_URL || undefined);
        const { planRole } = await import("../server/roles.js");
        const plan = planRole({ ...options, database: options.database }, deps.env);
        if (plan.role === "store") {
          const { startStore } = await import("./server-store.js");
          return startStore(deps, options, plan, port);
        }
        if (database !== undefined) (await import("../server/hq/postgres.js")).parsePgUrl(database);
        const level = options.logLevel ?? (options.logFile ? "info" : undefined);
        if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) {
          throw new UsageError(`--log-level: expected ${LEVELS.join(", ")}, got "${level}"`);
        }
        const [{ startServer }, { defaultFixturesDir, loadFixtures }, { readVersion }, { resolve }, schedules] =
          await Promise.all([
            import("../server/start.js"),
            import("../lib/fixtures.js"),
            import("../lib/version.js"),
            import("node:path"),
            import("../server/schedules/rules.js"),
          ]);
        const scheduleInput = <T>(option: string, parse: () => T): T => {
          try {
            return parse();
          } catch (error) {
            if (error instanceof schedules.ScheduleInputError) throw new UsageError(`${option}: ${error.message}`);
            throw error;
          }
        };
        const schedule =
          options.schedule === undefined
            ? undefined
            : scheduleInput("--schedule", () => schedules.parseScheduleList(options.schedule ?? ""));
        const tryCount =
          options.tryCount === undefined
            ? undefined
            : scheduleInput("--try-count", () => schedules.parseTryCount(options.tryCount));
        const fixturesDir = options.fixtures ? resolve(options.fixtures) : defaultFixturesDir();
        const running = await startServer({
          dataDir: options.data ? resolve(options.data) : deps.paths.serverDir,
          serverDir: deps.paths.serverDir,
          host: options.host,
          port,
          clock: deps.clock,
          version: readVersion(),
          fixtures: () => loadFixtures(fixturesDir),
          channelDownloadIntervalSec: interval,
          role: plan.role,
          ...(database === undefined ? {} : { database }),
          ...(level
            ? {
                log: {
                  level: level as (typeof LEVELS)[number],
                  ...(options.logFile ? { file: resolve(options.logFile) } : {}),
                },
              }
            : {}),
          ...(schedule ? { schedule } : {}),
          ...(tryCount === undefined ? {} : { tryCount }),
          onScheduledRun: (run) => deps.output.info(`scheduled run ${run.job} at ${run.at}: ${run.result}`),
          onInternalError: (error) => deps.output.warn(`internal error: ${(error as Error)?.stack ?? String(error)}`),
        });
        if (running.loadedRows > 0) deps.output.info(`HQ loaded ${running.loadedRows} rows from ${fixturesDir}`);
        const { created, sessions, interrupted } = running.distribution;
        if (created.length > 0) deps.output.info(`channel databases created: ${created.join(", ")}`);
        for (const u of interrupted.uploads) {
          deps.output.warn(`upload session ${u.id} was interrupted by a stop during its apply: now ${u.status}`);
        }
        for (const d of interrupted.downloads) {
          deps.output.warn(`download session ${d.id} was interrupted by a stop during its apply: now ${d.status}`);
        }
        for (const s of sessions) {
          const rows = Object.values(s.rows).reduce((sum, n) => sum + n, 0);
          deps.output.info(`session ${s.id} job ${s.job} → ${s.database} (full, ${rows} rows): ${s.status}`);
        }
        const { announceAndServe } = await import("./server-serve.js");
        await announceAndServe(deps, running, { role: plan.role });
      }),
    );

  leaf(server.command("catch-up"), "pos --home /srv/sea01 server catch-up")
    .description(
      "store server (--role store): run a round with HQ now — pull the channel databases' packages, push P-0001 — and say what it did per store",
    )
    .addHelpText(
      "after",
      "\nA round stopped by HQ (away, or refusing) is not a failure of the store: it keeps selling and the next\nround carries on. The exit code is 3 when HQ could not be reached for some store, 0 otherwise.",
    )
    .action(
      action(async (deps, options: ConnectionOptions) => {
        const { createAdminClient, resolveAdminConnection } = await import("../lib/admin-client.js");
        // A round may apply large packages and push thousands of sales: more time than one admin call.
        const client = createAdminClient(resolveAdminConnection(deps.paths, deps.env, options), 300_000);
        try {
          const answer = await client.storeCatchUp().catch((error: unknown) => {
            // HQ and an all-in-one server have no such route: say what the command is for.
            if ((error as { code?: unknown }).code === "NotFound") {
              throw new UsageError(
                `the server at ${client.url} is not a store server (pos server start --role store): it has no rounds with HQ`,
                "NotAStoreServer",
                "run it with the --home (or --server) of a store server",
              );
            }
            throw error;
          });
          deps.output.result(answer, (a) => a.stores.map(describeRound).join("\n"));
          const away = answer.stores.filter((r) => r.error !== null);
          if (away.length > 0) {
            throw new UnreachableError(
              `HQ round stopped for ${away.map((r) => r.store).join(", ")}: ${away[0]?.error}`,
              "HqUnreachable",
              "the store server keeps selling and catches up at its next round; check HQ (pos doctor on HQ's home)",
            );
          }
        } finally {
          client.close();
        }
      }),
    );
}

function describeRound(r: StoreRound): string {
  if (r.error !== null) return `${r.store}: HQ round stopped: ${r.error}`;
  const parts = [
    `${r.applied} session(s) applied`,
    `${r.pushed} transaction(s) pushed, ${r.inserted} new at HQ`,
    `HQ has up to ${r.counter ?? 0}`,
  ];
  return `${r.store}: ${parts.join("; ")}${r.stoppedBy ? ` — channel download stopped: ${r.stoppedBy}` : ""}`;
}
