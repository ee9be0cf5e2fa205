// `pos load`: many emulated registers against one server (capacity tests, CI), with exact verification.
import { type Command, Option } from "commander";
import type { LoadCliOptions } from "../load/options.js";
import { action } from "./action.js";

interface LoadFlags extends LoadCliOptions {
  server?: string;
  adminToken?: string;
  report?: "html" | "json";
  out?: string;
}

const HELP = `
Examples:
  pos load --server http://127.0.0.1:7100 --registers 200 --duration 60s --think 250ms --signin-rate 5/s
  pos load --registers 20 --store ST01,ST02 --duration 10s --p99 20 --json
  pos load --registers 50 --journal sales.ndjson --report html --out load.html

Each register activates its own device token (kept in <home>/load/state.json and reused next time; a
token refused by the server is replaced), signs in with a staff member of its store (all at once: the
sign-in storm), then sells until --duration is over: item lookups and a checkout, --think apart. At the
end the server's transactions are read through the admin API: it must hold exactly the sales that got a
success answer — none lost, none duplicated, none extra. Sales are numbered from 100000001 per register.
Exit codes: 0 verified (and checkout p99 within --p99), 1 verification failed or p99 exceeded,
2 bad option, 3 server unreachable.`;

export function register(program: Command): void {
  program
    .command("load")
    .description("many emulated registers against one server, verified exactly")
    .option("--server <url>", "server URL (env POS_SERVER; default: the running server of this --home)")
    .option("--admin-token <token>", "admin token (env POS_ADMIN_TOKEN; default: the server's token file)")
    .option("--registers <n>", "how many registers (the server's first N, in id order)", "10")
    .option(
      "--store <ids>",
      "only registers of these stores (comma-separated, repeatable)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .option("--duration <time>", "how long to sell, e.g. 60s, 2m", "60s")
    .option("--think <time>", "pause after each request (±50%), e.g. 250ms", "250ms")
    .option("--signin-rate <rate>", "extra sign-ins during the run, e.g. 5/s (spread over the registers)")
    .option("--journal <file>", "sell the carts of this sales journal (NDJSON), in turn")
    .option("--items <ids>", "items to sell without --journal (comma-separated)", "1001,1002,1003")
    .option("--password <password>", "password of the staff who sign in (env POS_PASSWORD; default 1234)")
    .option("--timeout <time>", "no answer after this long counts as no answer", "30s")
    .option("--p99 <ms>", "exit 1 when the checkout p99 is above this many ms")
    .addOption(new Option("--report <format>", "also write a report").choices(["html", "json"]))
    .option("--out <path>", "file for the report")
    .addHelpText("after", HELP)
    .action(
      action(async (deps, flags: LoadFlags) => {
        const [{ parseLoadOptions }, { runLoad }, { renderLoad }, admin, errors, { join }] = await Promise.all([
          import("../load/options.js"),
          import("../load/run.js"),
          import("../ui/load.js"),
          import("../lib/admin-client.js"),
          import("../lib/errors.js"),
          import("node:path"),
        ]);
        if (flags.report && !flags.out) throw new errors.UsageError(`--report ${flags.report} needs --out <path>`);
        if (flags.out && !flags.report)
          throw new errors.UsageError("--out names where the report goes: add --report html or --report json");
        const parsed = parseLoadOptions({ ...flags, password: flags.password ?? deps.env.POS_PASSWORD ?? "1234" });
        const server = admin.resolveServerUrl(deps.paths, deps.env, flags.server);
        const adminToken = admin.resolveAdminToken(deps.paths, deps.env, flags.adminToken);
        const result = await runLoad({
          ...parsed,
          server,
          adminToken,
          stateFile: join(deps.paths.home, "load", "state.json"),
          clock: deps.clock,
          onPhase: (phase) => deps.output.info(`load: ${phase}`),
        });
        if (flags.report && flags.out) {
          const { writeReport } = await import("../replay/report.js");
          if (flags.report === "json") writeReport(flags.out, `${JSON.stringify(result, null, 2)}\n`);
          else {
            const { loadReportHtml } = await import("../report/html.js");
            writeReport(flags.out, loadReportHtml(result));
          }
        }
        deps.output.result(result, renderLoad);
        if (!result.verification.ok) {
          throw new errors.OperationError(
            "the server does not hold exactly the acknowledged sales",
            "LoadVerificationFailed",
          );
        }
        if (result.p99?.exceeded) {
          throw new errors.OperationError(
            `checkout p99 ${result.p99.checkout} ms is above --p99 ${result.p99.limit} ms`,
            "LoadP99Exceeded",
          );
        }
      }),
    );
}
