// `pos demo`: the whole story in a temporary home, narrated; exit 0 only if every step did what it said.
import type { Command } from "commander";
import { action } from "./action.js";

/** What to try after the demo: the same story by hand, in a home that stays. */
const NEXT_STEPS: ReadonlyArray<readonly [string, string]> = [
  ["pos --home /tmp/store server start", "your own HQ + retail server (leave it running)"],
  [
    "pos --home /tmp/store register provision SEA01-R1 --sync",
    "in another shell: a register with its offline database filled",
  ],
  [
    "pos --home /tmp/store doctor",
    "check the register end to end, with the fix for anything wrong; then sell: pos --home /tmp/store sale --staff 000160 (password 1234)",
  ],
];

export function register(program: Command): void {
  program
    .command("demo")
    .addHelpText(
      "after",
      "\nExample:\n  pos demo\n  pos --json demo   # the steps, receipts, Connection status and the server's view as JSON",
    )
    .action(
      action(async (deps) => {
        const [{ runDemo }, { renderConnectionStatus }, { renderReceipt }, { renderTable }, { newTerms }] =
          await Promise.all([
            import("../demo/demo.js"),
            import("../ui/connection-status.js"),
            import("../ui/receipt.js"),
            import("../ui/table.js"),
            import("../ui/glossary.js"),
          ]);
        const { output } = deps;
        const c = output.color;
        // A D365 word is explained once, under the first line that uses it.
        const seen = new Set<string>();
        const explain = (text: string) => {
          for (const t of newTerms(text, seen)) output.print(c.dim(`   ℹ ${t.term}: ${t.meaning}`));
        };
        const result = await runDemo(deps.clock, {
          onStart: (n, title) => {
            output.print(`\n${c.bold(`${n}. ${title}`)}`);
            explain(title);
          },
          onStep: (s) => {
            output.print(`   ${c.green("✔")} ${s.detail}`);
            explain(s.detail);
          },
          onSwitch: (line) => {
            output.print(`   ${c.yellow("⚡")} ${line}`);
            explain(line);
          },
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
            `\n${c.bold("Next steps")} (a home of your own that outlives the demo):`,
            ...NEXT_STEPS.map(([command, why]) => `  ${command}\n      ${c.dim(why)}`),
          ].join("\n"),
        );
      }),
    );
}
