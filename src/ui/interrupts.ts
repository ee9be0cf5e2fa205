// Ctrl-C while a step is running: remembered and handled between steps, so a sale being committed is never cut off.
import { ownSignal } from "../lib/signals.js";

export interface InterruptTrap {
  readonly requested: boolean;
  clear(): void;
  dispose(): void;
}

/** Replaces Node's default "exit at once" on SIGINT for as long as the trap is held. */
export function trapInterrupts(onInterrupt?: () => void, proc: NodeJS.EventEmitter = process): InterruptTrap {
  let requested = false;
  const onSigint = ownSignal(() => {
    requested = true;
    onInterrupt?.();
  });
  proc.on("SIGINT", onSigint);
  return {
    get requested() {
      return requested;
    },
    clear: () => {
      requested = false;
    },
    dispose: () => {
      proc.off("SIGINT", onSigint);
    },
  };
}

/** @inquirer/prompts rejects with ExitPromptError when Ctrl-C is pressed inside a prompt. */
export function isPromptInterrupt(error: unknown): boolean {
  return error instanceof Error && error.name === "ExitPromptError";
}
