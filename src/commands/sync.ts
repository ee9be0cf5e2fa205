// `pos sync pull|push|status`: the register's side of distribution (SPEC §4.4).
import type { Command } from "commander";
import { action } from "./action.js";

interface RegisterFlag {
  register?: string;
}

export function register(program: Command): void {
  const group = program
    .command("sync")
    .addHelpText(
      "after",
      "\nExamples:\n  pos sync pull --register SEA01-R1\n  pos sync push --register SEA01-R1\n  pos --json sync status",
    );
  group
    .command("pull")
    .description("download and apply the register's sessions in order; a failed session stops the round")
    .option("--register <id>", "which register (default: the only one provisioned; env POS_REGISTER)")
    .addHelpText(
      "after",
      "\nExample:\n  pos sync pull --register SEA01-R1\n\nExit 1 if a session failed, 3 if the server is unreachable.",
    )
    .action(
      action(async (deps, flags: RegisterFlag) => {
        const [{ resolveRegisterId }, { pullRegister }, { OperationError }, { formatBytes }, { createProgress }] =
          await Promise.all([
            import("../register/config.js"),
            import("../register/sync.js"),
            import("../lib/errors.js"),
            import("../ui/format.js"),
            import("../ui/progress.js"),
          ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const spinner = await deps.output.spinner(`listing sessions for ${registerId}`);
        const progress = createProgress(deps.clock, "sessions");
        let done = 0;
        let bytes = 0;
        let rows = 0;
        const totals = () => `${formatBytes(bytes)}, ${rows} rows`;
        let result: Awaited<ReturnType<typeof pullRegister>>;
        try {
          result = await pullRegister({
            paths: deps.paths,
            clock: deps.clock,
            registerId,
            onProgress: (e) => {
              if (e.kind === "session")
                spinner.update(
                  `${progress.line(done, e.count, totals())} — session ${e.session.id} (job ${e.session.job}): downloading`,
                );
              if (e.kind === "resuming")
                spinner.update(
                  `session ${e.session.id} (job ${e.session.job}): connection broke, resuming from ${formatBytes(e.from)}`,
                );
              if (e.kind === "downloaded") {
                bytes += e.bytes;
                spinner.update(`session ${e.session.id} (job ${e.session.job}): applying ${formatBytes(e.bytes)}`);
              }
              // With --verbose: a long apply says how far it got (its one transaction is still open).
              if (e.kind === "applying") {
                spinner.update(`session ${e.session.id} (job ${e.session.job}): applying, ${e.rows} rows so far`);
                deps.output.debug(
                  `session ${e.session.id} (job ${e.session.job}): ${e.rows} rows applied so far, not committed`,
                );
              }
              if (e.kind === "applied") {
                done++;
                rows += e.rows;
                spinner.succeed(
                  `session ${e.session.id} job ${e.session.job}${e.session.full ? " (full)" : ""}: ${e.rows} rows${e.alreadyApplied ? " (already applied)" : ""}`,
                );
              }
            },
          });
        } finally {
          spinner.stop();
        }
        deps.output.result(result, () =>
          result.sessions.length === 0
            ? "nothing to pull: the offline database is up to date"
            : `pulled ${result.applied} session(s), ${result.rows} rows, ${formatBytes(result.bytes)}${result.resumed > 0 ? ` (resumed ${result.resumed}×)` : ""}${result.stoppedBy ? `; stopped at ${result.stoppedBy}` : ""}${result.customersResolved ? `; ${result.customersResolved} customer(s) created offline now have their real id` : ""}`,
        );
        if (result.failed > 0) throw new OperationError(`sync pull failed: ${result.stoppedBy}`, "SyncFailed");
      }),
    );

  group
    .command("push")
    .description("upload pending offline transactions in batches; conflicts are kept and shown, never resent as new")
    .option("--register <id>", "which register (default: the only one provisioned; env POS_REGISTER)")
    .addHelpText("after", "\nExample:\n  pos sync push --register SEA01-R1 --json")
    .action(
      action(async (deps, flags: RegisterFlag) => {
        const [{ resolveRegisterId }, { pushRegister }, { OperationError }, { createProgress }] = await Promise.all([
          import("../register/config.js"),
          import("../register/sync.js"),
          import("../lib/errors.js"),
          import("../ui/progress.js"),
        ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const spinner = await deps.output.spinner(`uploading pending transactions of ${registerId}`);
        const progress = createProgress(deps.clock, "transactions uploaded");
        let result: Awaited<ReturnType<typeof pushRegister>>;
        try {
          result = await pushRegister({
            paths: deps.paths,
            clock: deps.clock,
            registerId,
            onProgress: (done, total) => spinner.update(progress.line(done, total)),
          });
        } finally {
          spinner.stop();
        }
        deps.output.result(result, () => {
          const lines = [
            `uploaded ${result.uploaded} transaction(s) (${result.duplicates} already at the server), ${result.customers} customer(s); ${result.pendingAfter} still pending; purged ${result.purged}`,
          ];
          for (const c of result.conflicts) lines.push(`  conflict ${c.id}: ${c.message}`);
          return lines.join("\n");
        });
        if (result.conflicts.length > 0) {
          throw new OperationError(
            `${result.conflicts.length} transaction(s) conflict with the server`,
            "TransactionConflict",
            `see pos sync conflicts --register ${registerId}, then pos sync conflicts resolve <id> --resend|--void`,
          );
        }
      }),
    );

  const conflicts = group
    .command("conflicts")
    .description("transactions the server refused (409: other content under the same id), with reason and total")
    .option("--register <id>", "which register (default: the only one provisioned; env POS_REGISTER)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos sync conflicts --json\n  pos sync conflicts resolve SEA01-R1-000042 --resend",
    )
    .action(
      action(async (deps, flags: RegisterFlag) => {
        const [{ resolveRegisterId }, { listConflicts }, { renderTable }] = await Promise.all([
          import("../register/config.js"),
          import("../sync/conflicts.js"),
          import("../ui/table.js"),
        ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const result = listConflicts({ paths: deps.paths, registerId });
        deps.output.result(result, () =>
          result.conflicts.length === 0
            ? `${registerId}: no conflicts`
            : renderTable(
                ["transaction", "total", "created", "refused", "reason"],
                result.conflicts.map((c) => [
                  c.id,
                  `${c.total} ${c.currency}`,
                  c.createdAt,
                  c.refusedAt,
                  c.reason ?? "",
                ]),
              ),
        );
      }),
    );
  conflicts
    .command("resolve <transactionId>")
    .description("settle one conflict with an audit record: --resend under a new number, or --void this copy")
    .option("--resend", "queue the sale again under a new transaction number (the server keeps its own copy)")
    .option("--void", "drop this register's copy (the server's copy stands); the content is kept in the audit record")
    .option("--register <id>", "which register (default: the only one provisioned; env POS_REGISTER)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos sync conflicts resolve SEA01-R1-000042 --resend && pos sync push\n  pos sync conflicts resolve SEA01-R1-000042 --void\n\nSettling the same conflict the same way again changes nothing (exit 0).",
    )
    .action(
      action(async (deps, flags: RegisterFlag & { resend?: boolean; void?: boolean }, id: string) => {
        const [{ resolveRegisterId }, { resolveConflict }, { UsageError }] = await Promise.all([
          import("../register/config.js"),
          import("../sync/conflicts.js"),
          import("../lib/errors.js"),
        ]);
        if (Boolean(flags.resend) === Boolean(flags.void)) {
          throw new UsageError(
            "pos sync conflicts resolve: choose exactly one of --resend or --void",
            "BadInput",
            `pos sync conflicts resolve ${id} --resend`,
          );
        }
        // `--register` after the id is parsed by the parent command (commander): take it from there too.
        const named = flags.register ?? (conflicts.opts() as RegisterFlag).register;
        const registerId = resolveRegisterId(deps.paths, named, deps.env);
        const result = resolveConflict({
          paths: deps.paths,
          clock: deps.clock,
          registerId,
          id,
          action: flags.resend ? "resend" : "void",
        });
        deps.output.result(result, () => {
          if (!result.changed)
            return `${id}: already settled with --${result.action} at ${result.resolvedAt} — nothing to do`;
          return result.action === "resend"
            ? `${id}: queued again as ${result.newId} (pending upload; run pos sync push --register ${registerId})`
            : `${id}: voided on this register; its content is kept in the audit record`;
        });
      }),
    );

  group
    .command("status")
    .description("the Connection status window: mode, last download and upload, pending uploads, applied sessions")
    .option("--register <id>", "which register (default: the only one provisioned; env POS_REGISTER)")
    .addHelpText(
      "after",
      "\nExample:\n  pos sync status --json\n\nReads the register's own records only; it never needs the server.",
    )
    .action(
      action(async (deps, flags: RegisterFlag) => {
        const [{ resolveRegisterId }, { registerStatus }, { renderConnectionStatus }] = await Promise.all([
          import("../register/config.js"),
          import("../register/status.js"),
          import("../ui/connection-status.js"),
        ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const result = await registerStatus({ paths: deps.paths, clock: deps.clock, registerId, probe: false });
        deps.output.result(result, () => renderConnectionStatus(result, deps.output.color));
      }),
    );
}
