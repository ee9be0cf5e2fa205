// `pos replay <file>`: scripted failover (SPEC §7) — a scenario or sales journal, a line per step, JUnit/JSON reports.
import { type Command, Option } from "commander";
import type { Deps } from "../lib/deps.js";
import { action } from "./action.js";

interface ReplayFlags {
  check?: boolean;
  schema?: boolean;
  server?: string;
  adminToken?: string;
  report?: "json" | "junit" | "html";
  out?: string;
  register?: string;
  staff?: string;
  password?: string;
  seed?: string;
  repeat?: string;
  faultMix?: string;
}

const HELP = `
Examples:
  pos replay scenarios/blackhole-mid-sale.yaml
  pos replay scenarios/lost-ack-checkout.yaml --report junit --out reports/replay.xml
  pos replay sales.ndjson --register SEA01-R1 --report json --out replay.json
  pos replay scenarios/blackhole-mid-sale.yaml --report html --out replay.html
  pos replay scenarios/refused-reconnect.yaml --server http://127.0.0.1:7100 --admin-token "$POS_ADMIN_TOKEN"
  pos replay --check scenarios/*.yaml             # validate only: exit 0, or 2 naming file, step, line, field
  pos replay --schema > scenario.schema.json      # JSON Schema for editors (docs/scenarios.md)
  pos replay scenarios/journals/store-day.ndjson --repeat 100 --fault-mix "reset:0.01,latency 300:0.01,lost-ack:0.01" --seed 42

Soak mode (--repeat/--fault-mix, journals only): the journal's sales run again and again, a virtual minute
apart, with every fault of the mix drawn per request from the seed; each pass ends with an upload round. Then the
faults are lifted, what is pending is uploaded, and the run ends with the exactly-once check: every receipt at
the server once, no transaction there that no receipt accounts for, totals equal. The register waits 1 s for
the server in a soak (timeoutInterval), unless the file says otherwise.

Without --server the real server runs in-process in a temporary home with the sample company, and is
stopped afterwards; with --server the register lives under --home so its transaction numbers go on.
Time is virtual (wait: 24h costs nothing); HTTP timeouts are real, so scenarios set a small timeoutInterval.
Exit codes: 0 every expectation held, 1 one or more failed, 2 malformed file (file, step, line and field named).`;

export function register(program: Command): void {
  program
    .command("replay [files...]")
    .option("--check", "validate the files without running them (exit 0 all good, 2 otherwise)")
    .option("--schema", "print the scenario format as a JSON Schema and exit")
    .option("--server <url>", "replay against this server (default: an embedded one in a temporary home)")
    .option("--admin-token <token>", "admin token for --server (env POS_ADMIN_TOKEN, or the token file under --home)")
    .addOption(new Option("--report <format>", "also write a report").choices(["json", "junit", "html"]))
    .option("--out <path>", "file for the report (default: stdout)")
    .option("--register <id>", "replay as this register (overrides the scenario's; names a journal's register)")
    .option("--staff <id>", "who signs in (overrides the scenario's; a journal defaults to 000160, the sample cashier)")
    .option("--password <password>", "that staff member's password (env POS_PASSWORD)")
    .option("--seed <n>", "seed for the fault proxy's draws (probability, jitter); default: the scenario's, else 1")
    .option("--repeat <n>", "soak: run the journal's sales n times")
    .option("--fault-mix <mix>", 'soak: faults drawn per request, e.g. "reset:0.02,latency 300:0.1,lost-ack:0.01"')
    .addHelpText("after", HELP)
    .action(
      action(async (deps, flags: ReplayFlags, files: string[]) => {
        if (flags.schema) {
          const { scenarioJsonSchema } = await import("../replay/schema-json.js");
          process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
          return;
        }
        if (flags.check) return checkFiles(deps, files);
        const [{ loadReplayFile }, { runReplay, DEFAULT_REPLAY_SEED }, report, { toJUnit }, errors, faults, soakMode] =
          await Promise.all([
            import("../replay/load.js"),
            import("../replay/runner.js"),
            import("../replay/report.js"),
            import("../replay/junit.js"),
            import("../lib/errors.js"),
            import("../faults/fault-spec.js"),
            import("../replay/soak.js"),
          ]);
        const [file, ...extra] = files;
        if (file === undefined) throw new errors.UsageError("pos replay needs a scenario or journal file");
        if (extra.length > 0) {
          throw new errors.UsageError(`pos replay runs one file (got ${files.length}); to validate many use --check`);
        }
        const seed = flags.seed === undefined ? undefined : faults.parseSeed(flags.seed, "--seed");
        const soaking = flags.repeat !== undefined || flags.faultMix !== undefined;
        const soak = soaking
          ? {
              repeat: flags.repeat === undefined ? 1 : faults.parseCount(flags.repeat, "--repeat"),
              mix: flags.faultMix === undefined ? [] : soakMode.parseFaultMix(flags.faultMix),
            }
          : undefined;
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
        if (soak && scenario.source !== "journal") {
          throw new errors.UsageError(
            `--repeat and --fault-mix soak a sales journal (.ndjson); ${file} is a scenario, whose expectations assume its own faults`,
          );
        }
        const { output } = deps;
        // Step lines go to stdout unless stdout carries a JSON document or a report.
        const stdoutTaken = output.json || (flags.report !== undefined && !flags.out);
        const say = (text: string) => (stdoutTaken ? output.info(text) : output.print(text));
        const sayColor = stdoutTaken ? output.colorErr : output.color;
        const everyStep = scenario.source !== "journal";
        if (soak) {
          const sales = scenario.steps.length * soak.repeat;
          say(
            `soak: ${sales} sales (${soak.repeat} × ${scenario.steps.length}), seed ${seed ?? scenario.seed ?? DEFAULT_REPLAY_SEED}, fault mix ${faults.formatFaults(soak.mix)}`,
          );
        }
        // A journal prints only its failures, so on a terminal a progress line shows it is moving.
        const spinner = !everyStep && output.progress ? await output.spinner(`replaying ${file}`) : undefined;
        const { createProgress } = await import("../ui/progress.js");
        const progress = createProgress(deps.clock, "sales");
        const total = scenario.steps.length * (soak?.repeat ?? 1);
        let done = 0;
        let result: Awaited<ReturnType<typeof runReplay>>;
        try {
          result = await runReplay({
            scenario,
            ...(server ? { server, journal: true } : {}),
            ...(seed !== undefined ? { seed } : {}),
            ...(soak ? { soak } : {}),
            onStep: (r) => {
              done++;
              if (report.showsStep(scenario.source, r)) {
                spinner?.stop();
                say(report.formatStepLine(r, sayColor));
              }
              spinner?.update(progress.line(done, total));
            },
          });
        } finally {
          spinner?.stop();
        }
        say(report.formatSummary(result, sayColor));
        if (result.soak) say(soakMode.formatSoak(result.soak, result.seed, result.faults));
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

/** `--check`: loads each file as a run would (schema, steps, faults), runs nothing; one line per file. */
async function checkFiles(deps: Deps, files: string[]): Promise<void> {
  const [{ loadReplayFile }, { UsageError }] = await Promise.all([
    import("../replay/load.js"),
    import("../lib/errors.js"),
  ]);
  if (files.length === 0) throw new UsageError("pos replay --check needs at least one file");
  const results = files.map((file) => {
    try {
      const scenario = loadReplayFile(file);
      return { file, ok: true, kind: scenario.source, steps: scenario.steps.length, error: null };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { file, ok: false, kind: null, steps: 0, error: error.message };
    }
  });
  const { output } = deps;
  const failed = results.filter((r) => !r.ok);
  // One bad file is one line on stderr (the error itself); several get a line each and a count.
  if (failed.length > 1) for (const r of failed) output.info(`pos: ${r.error}`);
  output.result({ files: results }, () =>
    results
      .map((r) =>
        r.ok
          ? `${output.color.green("✔")} ${r.file}: ${r.steps} ${r.kind === "journal" ? "sale(s)" : "step(s)"}`
          : `${output.color.red("✖")} ${r.file}`,
      )
      .join("\n"),
  );
  const [first] = failed;
  if (failed.length === 1 && first?.error) throw new UsageError(first.error, "BadScenario");
  if (failed.length > 1) throw new UsageError(`${failed.length} of ${files.length} files are not valid`, "BadScenario");
}
