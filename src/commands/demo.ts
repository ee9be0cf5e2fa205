// `pos demo`: the whole story in a temporary home, narrated; exit 0 only if every step did what it said.
import type { Command } from "commander";
import { action } from "./action.js";

export function register(program: Command): void {
  program
    .command("demo")
    .addHelpText(
      "after",
      "\nExample:\n  pos demo\n  pos --json demo   # the steps, receipts, Connection status and the server's view as JSON",
    )
    .action(
      action(async (deps) => {
        const [{ runDemo }, { renderConnectionStatus }, { renderReceipt }, { renderTable }] = await Promise.all([
          import("../demo/demo.js"),
          import("../ui/connection-status.js"),
          import("../ui/receipt.js"),
          import("../ui/table.js"),
        ]);
        const { output } = deps;
        const c = output.color;
        const result = await runDemo(deps.clock, {
          onStart: (n, title) => output.print(`\n${c.bold(`${n}. ${title}`)}`),
          onStep: (s) => output.print(`   ${c.green("✔")} ${s.detail}`),
          onSwitch: (line) => output.print(`   ${c.yellow("⚡")} ${line}`),
          onReceipt: (r) => output.print(renderReceipt(r, c)),
        });
        output.result(result, () =>
          [
            `\n${c.bold("Connection status")} (${result.register})`,
            renderConnectionStatus(result.connectionStatus, c),
            `\n${c.bold("The server's view of the same transactions")}`,
            renderTable(
              ["transaction", "register receipt", "server total"],
              result.receipts.map((r, i) => [
                r.id,
                `${r.total} (${r.status})`,
                String(result.server.transactions[i]?.total ?? "missing"),
              ]),
            ),
            `HQ received ${result.server.uploadedToHq} transaction(s) through P-0001.`,
            c.green(`\nDemo complete: all ${result.steps.length} steps did what they said.`),
          ].join("\n"),
        );
      }),
    );
}
