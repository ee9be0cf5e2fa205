import { describe, expect, it } from "vitest";
import { CartError } from "../../../src/domain/cart.js";
import type { SwitchEvent } from "../../../src/register/connection-manager.js";
import { parseSaleCommand } from "../../../src/ui/sale-commands.js";
import { createSwitchQueue, describeSwitch } from "../../../src/ui/sale-runner.js";

describe("parseSaleCommand", () => {
  it.each([
    ["1001", { kind: "item", entry: "1001" }],
    ["4006381333931", { kind: "item", entry: "4006381333931" }],
    ["3 x 1002", { kind: "item", entry: "3 x 1002" }],
    ["  void 2 ", { kind: "void", line: 2 }],
    ["disc 1 12.5", { kind: "discount", line: 1, pct: 12.5 }],
    ["discount 2 10%", { kind: "discount", line: 2, pct: 10 }],
    ["customer Pat Doe", { kind: "customer", query: "Pat Doe" }],
    ["customer new Ada Park", { kind: "new-customer", name: "Ada Park" }],
    [
      "customer NEW Ada Park --email ada@example.com --phone 555-0100",
      { kind: "new-customer", name: "Ada Park", email: "ada@example.com", phone: "555-0100" },
    ],
    ["pay", { kind: "pay" }],
    ["pay card", { kind: "pay", tender: "card" }],
    ["pay cash 50", { kind: "pay", tender: "cash", amount: "50" }],
    ["917", { kind: "connection" }],
    ["return SEA01-R1-000042", { kind: "return", transaction: "SEA01-R1-000042", picks: [] }],
    [
      "return SEA01-R1-000042 1 2:3",
      { kind: "return", transaction: "SEA01-R1-000042", picks: [{ line: 1 }, { line: 2, qty: 3 }] },
    ],
    ["suspend", { kind: "suspend" }],
    ["recall", { kind: "recall" }],
    ["recall SEA01-R1-S0001", { kind: "recall", cart: "SEA01-R1-S0001" }],
    ["journal", { kind: "journal", limit: 10 }],
    ["journal 50", { kind: "journal", limit: 50 }],
    ["status", { kind: "status" }],
    ["STATUS", { kind: "status" }],
    ["cancel", { kind: "cancel" }],
    ["help", { kind: "help" }],
    ["quit", { kind: "quit" }],
    ["exit", { kind: "quit" }],
    ["", { kind: "nothing" }],
    ["# a comment", { kind: "nothing" }],
  ])("%j", (typed, expected) => {
    expect(parseSaleCommand(typed)).toEqual(expected);
  });

  it.each([
    ["void", "usage: void <line>"],
    ["void x", "line must be a line number"],
    ["disc 1", "usage: disc <line> <pct>"],
    ["disc 1 120", "discount must be a percent"],
    ["customer", "usage: customer <id|search>"],
    ["customer new", "usage: customer new <name> [--email <address>] [--phone <number>]"],
    ["customer new Ada --email", "--email needs a value"],
    ["customer new Ada --fax 1", "unknown option --fax"],
    ["pay cash 5 6", "usage: pay"],
    ["917 now", '"917" takes no arguments'],
    ["return", "usage: return <transaction id>"],
    ["return SEA01-R1-000042 2:x", '"2:x" is not <line>[:<qty>]'],
    ["suspend now", '"suspend" takes no arguments'],
    ["recall a b", "usage: recall [<cart id>]"],
    ["journal 0", "journal: how many must be a whole number from 1 to 1000"],
    ["0 x 1001", "quantity must be a whole number"],
    ["two words", "expected an item id or barcode"],
  ])("refuses %j with a message the cashier can act on", (typed, message) => {
    expect(() => parseSaleCommand(typed)).toThrow(CartError);
    expect(() => parseSaleCommand(typed)).toThrow(message);
  });
});

describe("switch notices", () => {
  const event = (to: SwitchEvent["to"], reason: string): SwitchEvent => ({ from: "online", to, reason, at: 0 });

  it.each([
    [
      event("offline-auto", "server did not answer in 5 s"),
      "server did not answer in 5 s — switched to offline; the sale continues",
    ],
    [
      event("offline-manual", "operation 917 (Disconnect)"),
      "operation 917: disconnected — OFFLINE (manual) until Connect",
    ],
    [event("online", "operation 917 (Connect)"), "operation 917: connected — ONLINE"],
    [event("online", "server answered again"), "server answered again — back online"],
  ])("%o reads one line", (e, line) => {
    expect(describeSwitch(e)).toBe(line);
  });

  it("queues events until drained", () => {
    const queue = createSwitchQueue();
    queue.push(event("offline-auto", "x"));
    queue.push(event("online", "y"));
    expect(queue.drain()).toHaveLength(2);
    expect(queue.drain()).toEqual([]);
  });
});
