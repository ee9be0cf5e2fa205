// `pos replay <file>`: scripted failover (SPEC §7) — a scenario or sales journal, a line per step, JUnit/JSON reports.
import { type Command, Option } from "commander";
import { action } from "./action.js";

interface ReplayFlags {
  server?: string;
  adminToken?: string;
  report?: "json" | "junit" | "html";
  out?: string;
  register?: string;
  staff?: string;
  password?: string;
}

const HELP = `
Examples:
  pos replay scenarios/blackhole-mid-sale.yaml
  pos replay scenarios/lost-ack-checkout.yaml --report junit --out reports/replay.xml
  pos replay sales.ndjson --register SEA01-R1 --report json --out replay.json
  pos replay scenarios/blackhole-mid-sale.yaml --report html --out replay.html
  pos replay scenarios/refused-reconnect.yaml --server http://127.0.0.1:7100 --admin-token "$POS_ADMIN_TOKEN"

Without --server the real server runs in-process in a temporary home with the sample company, and is
stopped afterwards; with --server the register lives under --home so its transaction numbers go on.
Time is virtual (wait: 24h costs nothing); HTTP timeouts are real, so scenarios set a small timeoutInterval.
Exit codes: 0 every expectation held, 1 one or more failed, 2 malformed file (file, step, line and field named).`;

export function register(program: Command): void {
  program
    .command("replay <file>")
    .option("--server <url>", "replay against this server (default: an embedded one in a temporary home)")
    .option("--admin-token <token>", "admin token for --server (env POS_ADMIN_TOKEN, or the token file under --home)")
    .addOption(new Option("--report <format>", "also write a report").choices(["json", "junit", "html"]))
    .option("--out <path>", "file for the report (default: stdout)")
    .option("--register <id>", "replay as this register (overrides the scenario's; names a journal's register)")
    .option("--staff <id>", "who signs in (overrides the scenario's; a journal defaults to 000160, the sample cashier)")
    .option("--password <password>", "that staff member's password (env POS_PASSWORD)")
    .addHelpText("after", HELP)
    .action(
      action(async (deps, flags: ReplayFlags, file: string) => {
        const [{ loadReplayFile }, { runReplay }, report, { toJUnit }, errors] = await Promise.all([
          import("../replay/load.js"),
          import("../replay/runner.js"),
          import("../replay/report.js"),
          import("../replay/junit.js"),
          import("../lib/errors.js"),
        ]);
        if (flags.out && !flags.report) {
          throw new errors.UsageError("--out names where the report goes: add --report json, junit or html");
        }
        if (deps.output.json && (flags.report === "junit" || flags.report === "html") && !flags.out) {
          throw new errors.UsageError(
            `--json prints the report as JSON on stdout: give the ${flags.report === "html" ? "HTML" : "JUnit"} file a place with --out`,
          );
        }
        const staff = flags.staff
          ? { id: flags.staff, password: flags.password ?? deps.env.POS_PASSWORD ?? "" }
          : undefined;
        const scenario = loadReplayFile(file, {
          ...(flags.register ? { register: flags.register } : {}),
          ...(staff ? { staff } : {}),
        });
        let server: { url: string; adminToken: string; paths: typeof deps.paths } | undefined;
        if (flags.server) {
          const { resolveAdminToken, resolveServerUrl } = await import("../lib/admin-client.js");
          server = {
            url: resolveServerUrl(deps.paths, deps.env, flags.server),
            adminToken: resolveAdminToken(deps.paths, deps.env, flags.adminToken),
            paths: deps.paths,
          };
        }
        const { output } = deps;
        // Step lines go to stdout unless stdout carries a JSON document or a report.
        const stdoutTaken = output.json || (flags.report !== undefined && !flags.out);
        const say = (text: string) => (stdoutTaken ? output.info(text) : output.print(text));
        // The lines of report.formatReport, printed as each step ends rather than at the end.
        const result = await runReplay({
          scenario,
          ...(server ? { server, journal: true } : {}),
          onStep: (r) => {
            if (report.showsStep(scenario.source, r)) say(report.formatStepLine(r, output.color));
          },
        });
        say(report.formatSummary(result, output.color));
        if (flags.report) {
          const text =
            flags.report === "junit"
              ? toJUnit(result)
              : flags.report === "html"
                ? (await import("../report/html.js")).replayReportHtml(result)
                : `${JSON.stringify(result, null, 2)}\n`;
          if (flags.out) report.writeReport(flags.out, text);
          else if (!output.json) process.stdout.write(text);
        }
        if (output.json) output.result(result);
        if (!result.summary.ok) {
          throw new errors.OperationError(
            `${result.summary.failed} of ${result.summary.checks} checks failed in ${file}`,
            "ReplayFailed",
          );
        }
      }),
    );
}
