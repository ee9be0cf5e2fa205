// `pos journal show|export`: the register's recent transactions (D365 "show journal"), and its sales as NDJSON for replay.
import type { Command } from "commander";
import { action } from "./action.js";

interface ExportFlags {
  register?: string;
  since?: string;
  out?: string;
}

export function register(program: Command): void {
  const journal = program
    .command("journal")
    .description("the register's transactions: show the recent ones, or export its sales for replay")
    .addHelpText(
      "after",
      "\nExamples:\n  pos journal show --register SEA01-R1 --limit 5\n  pos journal export --register SEA01-R1 > sales.ndjson",
    );
  journal
    .command("show")
    .description(
      "the register's recent transactions, newest first: online from the server, offline from its own database (D365 show journal)",
    )
    .option("--register <id>", "which register (env POS_REGISTER; default: the only one provisioned)")
    .option("--limit <n>", "how many (1–1000)", "20")
    .addHelpText(
      "after",
      "\nExamples:\n  pos journal show --register SEA01-R1\n  pos --json journal show --limit 50 | jq '.transactions[] | select(.returnOf != null)'",
    )
    .action(
      action(async (deps, flags: { register?: string; limit: string }) => {
        const [{ resolveRegisterId }, { readRegisterJournal }, { UsageError }] = await Promise.all([
          import("../register/config.js"),
          import("../register/journal-view.js"),
          import("../lib/errors.js"),
        ]);
        const limit = /^\d+$/.test(flags.limit) ? Number(flags.limit) : Number.NaN;
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
          throw new UsageError(`--limit: expected a whole number from 1 to 1000, got "${flags.limit}"`);
        }
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const view = await readRegisterJournal({ paths: deps.paths, clock: deps.clock, registerId, limit });
        deps.output.result(view, (v: typeof view) =>
          [
            `journal of ${v.register} (${v.source}, ${v.mode}): ${v.transactions.length} transaction(s)`,
            ...v.transactions.map(
              (t) =>
                `${t.id}  ${t.createdAt}  ${String(t.total).padStart(10)}  ${t.status}${t.returnOf ? `  return of ${t.returnOf}` : ""}${t.returns > 0 ? `  (${t.returns} return(s))` : ""}`,
            ),
          ].join("\n"),
        );
        return view;
      }),
    );
  journal
    .command("export")
    .description("write the journal as NDJSON, one sale a line (the `sale:` object of a replay scenario)")
    .option("--register <id>", "which register (env POS_REGISTER; default: the only one provisioned)")
    .option("--since <when>", "only sales made since an ISO time (2026-01-05T09:00:00Z) or for a duration (24h, 30m)")
    .option("--out <file>", "write to this file instead of stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  pos journal export --since 24h --out today.ndjson\n  pos replay today.ndjson --register SEA01-R1 --report junit --out replay.xml",
    )
    .action(
      action(async (deps, flags: ExportFlags) => {
        const [{ resolveRegisterId }, { readJournal, parseSince }, { writeReport }] = await Promise.all([
          import("../register/config.js"),
          import("../replay/journal.js"),
          import("../replay/report.js"),
        ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const since = flags.since === undefined ? undefined : parseSince(flags.since, deps.clock.now());
        const read = readJournal(deps.paths, registerId, since);
        const text = read.lines.length > 0 ? `${read.lines.join("\n")}\n` : "";
        const { output } = deps;
        if (read.skipped.length > 0) {
          output.warn(
            `skipped ${read.skipped.length} unreadable line(s) of ${read.file}: ${read.skipped.slice(0, 5).join(", ")}`,
          );
        }
        const summary = {
          register: registerId,
          journal: read.file,
          sales: read.lines.length,
          of: read.total,
          skipped: read.skipped.length,
          out: flags.out ?? null,
          ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
        };
        if (flags.out) {
          writeReport(flags.out, text);
          output.result(summary, () => `exported ${summary.sales} of ${summary.of} sales to ${flags.out}`);
        } else if (output.json) {
          output.result({ ...summary, sales: read.lines.map((l) => JSON.parse(l) as unknown) });
        } else {
          process.stdout.write(text);
          output.info(`exported ${summary.sales} of ${summary.of} sales of ${registerId}`);
        }
      }),
    );
}
