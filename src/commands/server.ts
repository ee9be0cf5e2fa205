// `pos server start`: HQ + retail server in the foreground until Ctrl-C / SIGTERM.
import type { Command } from "commander";
import { UsageError } from "../lib/errors.js";
import { action } from "./action.js";

interface StartOptions {
  port: string;
  host: string;
  data?: string;
  fixtures?: string;
}

export function register(program: Command): void {
  const server = program.command("server").description("run the store back end (HQ + retail server)");
  server
    .command("start")
    .description("run HQ and the retail server in the foreground; prints the URL and where the admin token is")
    .option("--port <port>", "TCP port; 0 picks a free one", "7100")
    .option("--host <address>", "address to bind (loopback unless you say otherwise)", "127.0.0.1")
    .option("--data <dir>", "folder for hq.db, channel-<store>.db and admin-token (default <home>/server)")
    .option("--fixtures <dir>", "sample data loaded into a new HQ (default: the bundled fixtures)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos server start\n  pos --home /tmp/pos server start --port 0\n  pos --json server start --port 0   # prints {url, adminTokenFile, …}\n\nStops cleanly on Ctrl-C or SIGTERM (in-flight requests finish, databases close, exit 0).",
    )
    .action(
      action(async (deps, options: StartOptions) => {
        const port = Number(options.port);
        if (!/^\d+$/.test(options.port) || port > 65535) {
          throw new UsageError(`--port: expected a port number 0–65535, got "${options.port}"`);
        }
        const [{ startServer, closeOnSignal }, { defaultFixturesDir, loadFixtures }, { readVersion }, { resolve }] =
          await Promise.all([
            import("../server/start.js"),
            import("../lib/fixtures.js"),
            import("../cli.js"),
            import("node:path"),
          ]);
        const fixturesDir = options.fixtures ? resolve(options.fixtures) : defaultFixturesDir();
        const running = await startServer({
          dataDir: options.data ? resolve(options.data) : deps.paths.serverDir,
          serverDir: deps.paths.serverDir,
          host: options.host,
          port,
          clock: deps.clock,
          version: readVersion(),
          fixtures: () => loadFixtures(fixturesDir),
          onInternalError: (error) => deps.output.warn(`internal error: ${(error as Error)?.stack ?? String(error)}`),
        });
        if (running.loadedRows > 0) deps.output.info(`HQ loaded ${running.loadedRows} rows from ${fixturesDir}`);
        for (const s of running.seeded.filter((x) => x.seeded)) {
          deps.output.info(`channel database ${s.store} seeded from HQ (${s.rows} rows)`);
        }
        const info = {
          url: running.url,
          host: running.host,
          port: running.port,
          adminTokenFile: running.adminTokenFile,
          dataDir: running.dataDir,
          serverFile: running.serverFile,
          pid: running.pid,
        };
        deps.output.result(info, (i: typeof info) => `listening on ${i.url}\nadmin token: ${i.adminTokenFile}`);
        deps.output.info("press Ctrl-C to stop");
        const signal = await closeOnSignal(running, (s) =>
          deps.output.info(`${s}: stopping (in-flight requests finish)`),
        );
        deps.output.info(`stopped after ${signal}`);
      }),
    );
}
