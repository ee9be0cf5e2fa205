// What the cashier typed at the sale prompt, parsed once for the interactive screen and for scripts alike.
import { CartError, parseDiscountPercent, parseItemEntry, parseLineNumber } from "../domain/cart.js";
import { DATABASE_CONNECTION_STATUS } from "../domain/operations.js";
import type { ReturnPick } from "../domain/returns.js";

export type SaleCommand =
  | { kind: "item"; entry: string }
  | { kind: "void"; line: number }
  | { kind: "discount"; line: number; pct: number }
  | { kind: "customer"; query: string }
  /** Operation 612: add a customer (offline: a temporary id, "Pending sync"). */
  | { kind: "new-customer"; name: string; email?: string; phone?: string }
  /** Without a tender the interactive screen opens the tender menu. */
  | { kind: "pay"; tender?: string; amount?: string }
  /** A return of a sale (all that is left, or the picked lines `<line>[:<qty>]`); paying it refunds. */
  | { kind: "return"; transaction: string; picks: ReturnPick[] }
  | { kind: "suspend" }
  /** Without an id: the carts that can be recalled. */
  | { kind: "recall"; cart?: string }
  | { kind: "journal"; limit: number }
  | { kind: "connection" }
  | { kind: "status" }
  | { kind: "cancel" }
  | { kind: "help" }
  | { kind: "quit" }
  | { kind: "nothing" };

/** Command words win over item codes: items are numbers and barcodes, never these words. */
export function parseSaleCommand(input: string): SaleCommand {
  const text = input.trim();
  if (text === "" || text.startsWith("#")) return { kind: "nothing" };
  const [word = "", ...rest] = text.split(/\s+/);
  const args = rest.join(" ");
  switch (word.toLowerCase()) {
    case "void":
      return { kind: "void", line: parseLineNumber(expectArgs(rest, 1, "void <line>")[0] ?? "") };
    case "disc":
    case "discount": {
      const [line = "", pct = ""] = expectArgs(rest, 2, "disc <line> <pct>");
      return { kind: "discount", line: parseLineNumber(line), pct: parseDiscountPercent(pct) };
    }
    case "customer":
      if (!args) throw new CartError("BadEntry", "usage: customer <id|search>");
      if (rest[0]?.toLowerCase() === "new") return parseNewCustomer(rest.slice(1));
      return { kind: "customer", query: args };
    case "pay": {
      if (rest.length > 2) throw new CartError("BadEntry", "usage: pay [<tender> [amount]], e.g. pay cash 50");
      const [tender, amount] = rest;
      return { kind: "pay", ...(tender ? { tender } : {}), ...(amount ? { amount } : {}) };
    }
    case "return":
      return parseReturn(rest);
    case "suspend":
      return noArgs(word, rest, { kind: "suspend" });
    case "recall":
      if (rest.length > 1) throw new CartError("BadEntry", "usage: recall [<cart id>], e.g. recall SEA01-R1-S0001");
      return { kind: "recall", ...(rest[0] ? { cart: rest[0] } : {}) };
    case "journal": {
      if (rest.length > 1) throw new CartError("BadEntry", "usage: journal [<how many>], e.g. journal 10");
      const limit = rest[0] === undefined ? 10 : /^\d+$/.test(rest[0]) ? Number(rest[0]) : Number.NaN;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
        throw new CartError("BadEntry", `journal: how many must be a whole number from 1 to 1000, got "${rest[0]}"`);
      return { kind: "journal", limit };
    }
    case String(DATABASE_CONNECTION_STATUS):
      return noArgs(word, rest, { kind: "connection" });
    case "status":
      return noArgs(word, rest, { kind: "status" });
    case "cancel":
      return noArgs(word, rest, { kind: "cancel" });
    case "help":
    case "?":
      return { kind: "help" };
    case "quit":
    case "exit":
      return noArgs(word, rest, { kind: "quit" });
    default:
      // Validates the entry now, so a typo is reported before any lookup.
      parseItemEntry(text);
      return { kind: "item", entry: text };
  }
}

const RETURN_USAGE = "usage: return <transaction id> [<line>[:<qty>] …], e.g. return SEA01-R1-000042 2:1";

/** `return SEA01-R1-000042` (all that is left) or `return SEA01-R1-000042 1 2:3` (line 1 whole, 3 of line 2). */
function parseReturn(words: string[]): SaleCommand {
  const [transaction, ...pickWords] = words;
  if (!transaction) throw new CartError("BadEntry", RETURN_USAGE);
  const picks = pickWords.map((word): ReturnPick => {
    const match = /^(\d+)(?::(\d+))?$/.exec(word);
    if (!match) throw new CartError("BadEntry", `"${word}" is not <line>[:<qty>] (${RETURN_USAGE})`);
    const line = parseLineNumber(match[1] ?? "");
    return match[2] === undefined ? { line } : { line, qty: Number(match[2]) };
  });
  return { kind: "return", transaction, picks };
}

const NEW_CUSTOMER_USAGE = "usage: customer new <name> [--email <address>] [--phone <number>]";

/** `customer new Ada Lovelace --email ada@example.com --phone 555-0100`. */
function parseNewCustomer(words: string[]): SaleCommand {
  const name: string[] = [];
  const fields: { email?: string; phone?: string } = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--email" || word === "--phone") {
      const value = words[++i];
      if (!value || value.startsWith("--"))
        throw new CartError("BadEntry", `${word} needs a value (${NEW_CUSTOMER_USAGE})`);
      fields[word === "--email" ? "email" : "phone"] = value;
    } else if (word.startsWith("--")) {
      throw new CartError("BadEntry", `unknown option ${word} (${NEW_CUSTOMER_USAGE})`);
    } else {
      name.push(word);
    }
  }
  if (name.length === 0) throw new CartError("BadEntry", NEW_CUSTOMER_USAGE);
  return { kind: "new-customer", name: name.join(" "), ...fields };
}

function expectArgs(args: string[], count: number, usage: string): string[] {
  if (args.length !== count) throw new CartError("BadEntry", `usage: ${usage}`);
  return args;
}

function noArgs<C extends SaleCommand>(word: string, args: string[], command: C): C {
  if (args.length > 0) throw new CartError("BadEntry", `"${word}" takes no arguments`);
  return command;
}
