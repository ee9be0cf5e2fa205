// Help text for the sale prompt: what the cashier may type, the same words in the interactive screen and in a script.
import type { ChalkInstance } from "chalk";
import { renderPairs } from "./format.js";

export function renderSaleHelp(color: ChalkInstance, interactive: boolean): string {
  const pairs: Array<readonly [string, string]> = [
    ["1001, 4006381333931", "add one of an item, by id or barcode"],
    ["3 x 1001", "add a quantity"],
    ["void <line>", "void a line (it stays on the receipt, struck through)"],
    ["disc <line> <pct>", "line discount in percent, e.g. disc 2 10"],
    ["customer <id|search>", "put a customer on the sale"],
    ["customer new <name> [--email e] [--phone p]", "add a customer (612); offline it is Pending sync"],
    ...(interactive ? ([["pay", "choose a tender and an amount (default: what is still due)"]] as const) : []),
    ["pay <tender> [amount]", "pay without the menu, e.g. pay cash 50, pay card (amount: what is still due)"],
    [
      "return <id> [<line>[:<qty>] …]",
      "return a sale (all that is left, or lines); pay refunds; offline: this register's sales only",
    ],
    ["suspend", "keep the cart aside (no number used) and start a new sale"],
    ["recall [<cart id>]", "list suspended carts, or bring one back (once)"],
    ["journal [n]", "this register's last n transactions (offline: from its own database)"],
    ["917", "operation 917: Disconnect when online, Connect when offline"],
    ["status", "the Connection status window"],
    ["cancel", "drop the cart"],
    ["help", "this list"],
    ["quit", interactive ? "leave the register (asks when the cart has lines)" : "leave the register"],
  ];
  return [color.bold("Commands"), renderPairs(pairs, color)].join("\n");
}
