// The interactive sale screen (SPEC §6): header always above the prompt, cart, tender menu, Ctrl-C that asks first.
import { CartError, isEmpty } from "../domain/cart.js";
import { formatMoney } from "../domain/money.js";
import { tenderAvailability } from "../domain/tenders.js";
import { InterruptedError } from "../lib/errors.js";
import { type InterruptTrap, isPromptInterrupt, trapInterrupts } from "./interrupts.js";
import { renderReceipt } from "./receipt.js";
import { parseSaleCommand } from "./sale-commands.js";
import { errorLine, isBusinessError, type SaleRunner, type StepResult } from "./sale-runner.js";

type Prompts = typeof import("@inquirer/prompts");

export interface SaleScreenOptions {
  staff?: string;
  password?: string;
  /** --offline: sign in offline without asking. */
  offline?: boolean;
  /** Terminal width for the header rule. */
  columns?: number;
}

interface View {
  notices: string[];
  panel?: string;
  receipt?: string;
}

// Clear the screen and home the cursor: the header stays at the top, above the prompt.
const CLEAR = "\u001b[H\u001b[2J";

export async function runSaleScreen(runner: SaleRunner, options: SaleScreenOptions): Promise<void> {
  // Loaded here: prompts are only needed on a terminal.
  const prompts = await import("@inquirer/prompts");
  const trap = trapInterrupts();
  try {
    let view: View = { notices: await signIn(prompts, runner, options) };
    for (;;) {
      draw(runner, view, options);
      let text: string;
      try {
        text = await prompts.input({ message: "Item, barcode or command (help):" });
      } catch (error) {
        if (!isPromptInterrupt(error)) throw error;
        view = await interrupt(prompts, runner, view);
        continue;
      }
      const next = await handle(prompts, runner, text, view);
      if (next === "quit") return;
      view = trap.requested ? await afterSigint(prompts, runner, trap, next) : next;
    }
  } finally {
    trap.dispose();
  }
}

async function handle(prompts: Prompts, runner: SaleRunner, text: string, view: View): Promise<View | "quit"> {
  const color = runner.output.color;
  try {
    const command = parseSaleCommand(text);
    let result: StepResult;
    if (command.kind === "pay" && !command.tender) result = await payMenu(prompts, runner);
    else if (command.kind === "pay") result = await runner.pay(command.tender ?? "", command.amount);
    else if (command.kind === "quit") return (await confirmQuit(prompts, runner)) ? "quit" : { notices: [] };
    else result = await runner.step(command);
    // The last receipt stays on screen until the next sale starts or the cart is canceled.
    const receipt = result.receipt
      ? renderReceipt(result.receipt, color)
      : command.kind === "cancel"
        ? undefined
        : keepReceipt(view).receipt;
    return {
      notices: result.lines.map((l) => (l.includes("switched to offline") ? color.yellow(l) : l)),
      ...(result.panel ? { panel: result.panel } : {}),
      ...(receipt ? { receipt } : {}),
    };
  } catch (error) {
    if (!isBusinessError(error)) throw error;
    return { notices: [...runner.notices(), color.red(`✖ ${errorLine(error)}`)], ...keepReceipt(view) };
  }
}

/** The tender menu lists every tender; those not valid in this mode are shown disabled, with the reason. */
async function payMenu(prompts: Prompts, runner: SaleRunner): Promise<StepResult> {
  const s = runner.session;
  if (isEmpty(s.cart)) throw new CartError("BadEntry", "the cart is empty: add an item before paying");
  const due = s.remaining();
  const choices = s.context.tenders.map((t) => {
    const availability = tenderAvailability(t, s.mode);
    return availability.allowed
      ? { name: t.name, value: t.id }
      : { name: t.name, value: t.id, disabled: `not available offline (operation ${availability.operation})` };
  });
  try {
    const tender = await prompts.select({
      message: `Pay ${runner.money(due)} ${s.context.currency} with`,
      choices: [...choices, { name: "← back", value: "" }],
    });
    if (!tender) return { lines: [] };
    const decimals = s.context.decimals;
    const amount = await prompts.input({
      message: "Amount:",
      default: formatMoney(due, decimals).replaceAll(",", ""),
      validate: (value) => /^\s*\d[\d,]*(\.\d+)?\s*$/.test(value) || "type an amount, e.g. 20 or 12.50",
    });
    return await runner.pay(tender, amount.replaceAll(",", "").trim());
  } catch (error) {
    // Ctrl-C inside the menu goes back to the item prompt; the cart is untouched.
    if (isPromptInterrupt(error)) return { lines: ["payment not taken"] };
    throw error;
  }
}

const NO_RETRY_AT_SIGN_IN = new Set([
  "UserBlockedDueToTooManyFailedLogonAttempts",
  "ManualOfflineBeforeSignInNotAllowed",
]);

async function signIn(prompts: Prompts, runner: SaleRunner, options: SaleScreenOptions): Promise<string[]> {
  let staff = options.staff;
  let password = options.password;
  let notices: string[] = [];
  for (;;) {
    draw(runner, { notices }, options);
    try {
      staff ??= await prompts.input({
        message: "Staff id:",
        validate: (v) => v.trim() !== "" || "type your staff id",
      });
      password ??= await prompts.password({ message: "Password:", mask: "*" });
    } catch (error) {
      if (isPromptInterrupt(error)) throw new InterruptedError();
      throw error;
    }
    let offline = options.offline ?? false;
    if (!offline && runner.runtime.manager.offlineSignInOffered) {
      // D365's sign-in screen offers the switch to offline when the offline profile allows it before sign-in.
      try {
        offline = await prompts.confirm({ message: "Sign in offline (operation 917, manual)?", default: false });
      } catch (error) {
        if (isPromptInterrupt(error)) throw new InterruptedError();
        throw error;
      }
    }
    try {
      return (await runner.signIn(staff.trim(), password, { offline })).lines;
    } catch (error) {
      // Asking again cannot help a blocked id or a profile that refuses offline before sign-in.
      if (!isBusinessError(error) || NO_RETRY_AT_SIGN_IN.has(error.code)) throw error;
      notices = [...runner.notices(), runner.output.color.red(`✖ ${errorLine(error)}`)];
      staff = undefined;
      password = undefined;
    }
  }
}

/** Ctrl-C: with lines in the cart, ask; with an empty cart, leave (exit 130). Completed sales are already stored. */
async function interrupt(prompts: Prompts, runner: SaleRunner, view: View): Promise<View> {
  const s = runner.session;
  if (s.cart.lines.length === 0) throw new InterruptedError();
  let cancel = false;
  try {
    cancel = await prompts.confirm({ message: "Cancel the sale?", default: false });
  } catch (error) {
    // A second Ctrl-C at the question keeps the sale: losing a cart by accident is worse than asking again.
    if (!isPromptInterrupt(error)) throw error;
  }
  if (!cancel) return { notices: ["the sale goes on"], ...keepReceipt(view) };
  s.cancel();
  return { notices: ["sale canceled"] };
}

/** Ctrl-C arrived while a step was running: the step finished first, now the usual question. */
async function afterSigint(prompts: Prompts, runner: SaleRunner, trap: InterruptTrap, view: View): Promise<View> {
  trap.clear();
  draw(runner, view, {});
  const answer = await interrupt(prompts, runner, view);
  return { ...answer, notices: [...view.notices, ...answer.notices] };
}

async function confirmQuit(prompts: Prompts, runner: SaleRunner): Promise<boolean> {
  if (runner.session.cart.lines.length === 0) return true;
  try {
    return await prompts.confirm({ message: "The cart has lines: cancel the sale and quit?", default: false });
  } catch (error) {
    if (isPromptInterrupt(error)) return false;
    throw error;
  }
}

function keepReceipt(view: View): { receipt?: string } {
  return view.receipt ? { receipt: view.receipt } : {};
}

function draw(runner: SaleRunner, view: View, options: SaleScreenOptions): void {
  const s = runner.session;
  const parts = [runner.header(options.columns ?? process.stdout.columns)];
  if (s.cart.lines.length > 0) parts.push(runner.cart());
  else if (view.receipt) parts.push(view.receipt);
  else if (s.staff) parts.push(runner.cart());
  if (view.panel) parts.push("", view.panel);
  if (view.notices.length > 0) parts.push("", ...view.notices);
  runner.output.print(`${CLEAR}${parts.join("\n")}\n`);
}
