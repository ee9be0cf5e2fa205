// `pos journal export`: the register's completed sales as a sales journal (NDJSON) that `pos replay` reads back.
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
    .addHelpText("after", "\nExamples:\n  pos journal export --register SEA01-R1 > sales.ndjson");
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
