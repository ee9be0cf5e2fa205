// `pos register provision|list|show`: set up a register against a server and look at local registers.
import type { Command } from "commander";
import { action } from "./action.js";

interface ProvisionFlags {
  server?: string;
  offline: boolean;
  sync?: boolean;
  adminToken?: string;
}

export function register(program: Command): void {
  const group = program.command("register");
  group
    .command("provision <registerId>")
    .description("set up a register: Supports offline at HQ, device activation, offline database, first sync")
    .option("--server <url>", "retail server URL (env POS_SERVER, or the server started with the same --home)")
    .option("--no-offline", "an online-only register (no offline database entity at HQ)")
    .option("--sync", "run the distribution schedule for the new offline database and pull it now")
    .option("--admin-token <token>", "HQ admin token (env POS_ADMIN_TOKEN, or the server's token file under --home)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos register provision SEA01-R1 --server http://127.0.0.1:7100 --sync\n  pos register provision SEA01-R2 --no-offline\n\nSafe to run again: says what already existed and changes nothing twice.",
    )
    .action(
      action(async (deps, flags: ProvisionFlags, registerId: string) => {
        const [{ resolveAdminToken, resolveServerUrl }, { checkRegisterId, provisionRegister }, { OperationError }] =
          await Promise.all([
            import("../lib/admin-client.js"),
            import("../register/provision.js"),
            import("../lib/errors.js"),
          ]);
        checkRegisterId(registerId);
        const serverUrl = resolveServerUrl(deps.paths, deps.env, flags.server);
        const adminToken = resolveAdminToken(deps.paths, deps.env, flags.adminToken);
        const { output } = deps;
        const result = await provisionRegister({
          paths: deps.paths,
          clock: deps.clock,
          registerId,
          serverUrl,
          adminToken,
          offline: flags.offline,
          sync: flags.sync ?? false,
          onStep: (s) => {
            const mark = s.outcome === "done" ? output.color.green("✔") : output.color.dim("•");
            const what = s.outcome === "existed" ? " (already existed)" : s.outcome === "skipped" ? " (skipped)" : "";
            output.info(`${mark} ${s.step}. ${s.name}${what}: ${s.detail}`);
          },
          onPull: (e) => {
            if (e.kind === "applied")
              output.info(`    session ${e.session.id} job ${e.session.job}: ${e.rows} rows applied`);
          },
        });
        output.result(result, () =>
          result.alreadyProvisioned
            ? `register ${registerId} already provisioned — nothing changed`
            : `register ${registerId} provisioned (store ${result.store}${result.database ? `, ${result.database}` : ", online only"})`,
        );
        if (result.pull && result.pull.failed > 0) {
          throw new OperationError(
            `first sync failed: ${result.pull.stoppedBy}`,
            "SyncFailed",
            "see pos cdx sessions, then pos sync pull",
          );
        }
      }),
    );

  group
    .command("list")
    .description("registers provisioned under this home")
    .addHelpText("after", "\nExample:\n  pos register list --json")
    .action(
      action(async (deps) => {
        const { listLocalRegisters } = await import("../register/local-registers.js");
        const { renderTable } = await import("../ui/table.js");
        const registers = await listLocalRegisters(deps.paths, deps.clock);
        deps.output.result({ registers }, () =>
          registers.length === 0
            ? "no registers provisioned (pos register provision <id> --server <url>)"
            : renderTable(
                ["register", "store", "server", "offline", "mode", "pending"],
                registers.map((r) => [r.register, r.store, r.serverUrl, r.database ?? "no", r.mode, String(r.pending)]),
              ),
        );
      }),
    );

  group
    .command("show <registerId>")
    .description("one register's configuration and state (the device token is never shown)")
    .addHelpText("after", "\nExample:\n  pos register show SEA01-R1")
    .action(
      action(async (deps, _flags: object, registerId: string) => {
        const { showLocalRegister } = await import("../register/local-registers.js");
        const info = await showLocalRegister(deps.paths, deps.clock, registerId);
        deps.output.result(info, () =>
          Object.entries(info)
            .map(([k, v]) => `${k.padEnd(16)} ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
            .join("\n"),
        );
      }),
    );

  group
    .command("reset <registerId>")
    .description("replace a damaged offline database: the old file is set aside, numbering continues above it")
    .option("--yes", "confirm: sales the damaged database held and the server lacks are lost")
    .addHelpText(
      "after",
      `
Example:
  pos register reset SEA01-R1 --yes

Refused (exit 1) while a readable database still holds sales not yet at the server: push them first.
The damaged file is renamed offline.db.damaged-<time>, never deleted.`,
    )
    .action(
      action(async (deps, flags: { yes?: boolean }, registerId: string) => {
        if (!flags.yes) {
          const { UsageError } = await import("../lib/errors.js");
          throw new UsageError(
            `pos register reset ${registerId} replaces its offline database`,
            "ConfirmationRequired",
            `run it again with --yes: pos register reset ${registerId} --yes`,
          );
        }
        const { resetRegisterDatabase } = await import("../register/reset.js");
        const result = resetRegisterDatabase(deps.paths, deps.clock, registerId);
        deps.output.result(result, (r: typeof result) =>
          [
            `register ${r.register}: new offline database ${r.file}`,
            r.setAsideTo ? `the old one is kept at ${r.setAsideTo}` : "the old one held no sales and was replaced",
            `lost: ${r.lost}`,
            `transaction numbers continue above ${r.numbersAbove}`,
            ...r.next.map((n) => `next: ${n}`),
          ].join("\n"),
        );
      }),
    );
}
