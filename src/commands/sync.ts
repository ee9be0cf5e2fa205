// `pos sync pull|push|status`: the register's side of distribution (SPEC §4.4).
import type { Command } from "commander";
import { action } from "./action.js";

interface RegisterFlag {
  register?: string;
}

export function register(program: Command): void {
  const group = program.command("sync");
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
        const [{ resolveRegisterId }, { pullRegister }, { OperationError }, { formatBytes }] = await Promise.all([
          import("../register/config.js"),
          import("../register/sync.js"),
          import("../lib/errors.js"),
          import("../ui/format.js"),
        ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const spinner = await deps.output.spinner(`listing sessions for ${registerId}`);
        let result: Awaited<ReturnType<typeof pullRegister>>;
        try {
          result = await pullRegister({
            paths: deps.paths,
            clock: deps.clock,
            registerId,
            onProgress: (e) => {
              if (e.kind === "session")
                spinner.update(`session ${e.session.id} (job ${e.session.job}) ${e.index + 1}/${e.count}: downloading`);
              if (e.kind === "downloaded")
                spinner.update(`session ${e.session.id} (job ${e.session.job}): applying ${formatBytes(e.bytes)}`);
              // With --verbose: a long apply says how far it got (its one transaction is still open).
              if (e.kind === "applying")
                deps.output.debug(
                  `session ${e.session.id} (job ${e.session.job}): ${e.rows} rows applied so far, not committed`,
                );
              if (e.kind === "applied") {
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
            : `pulled ${result.applied} session(s), ${result.rows} rows, ${formatBytes(result.bytes)}${result.stoppedBy ? `; stopped at ${result.stoppedBy}` : ""}${result.customersResolved ? `; ${result.customersResolved} customer(s) created offline now have their real id` : ""}`,
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
        const [{ resolveRegisterId }, { pushRegister }, { OperationError }] = await Promise.all([
          import("../register/config.js"),
          import("../register/sync.js"),
          import("../lib/errors.js"),
        ]);
        const registerId = resolveRegisterId(deps.paths, flags.register, deps.env);
        const spinner = await deps.output.spinner(`uploading pending transactions of ${registerId}`);
        let result: Awaited<ReturnType<typeof pushRegister>>;
        try {
          result = await pushRegister({
            paths: deps.paths,
            clock: deps.clock,
            registerId,
            onProgress: (done, total) => spinner.update(`uploaded ${done}/${total}`),
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
            "see pos cdx upload-sessions",
          );
        }
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
