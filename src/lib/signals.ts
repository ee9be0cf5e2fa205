// How pos ends on a signal: Ctrl-C exits 130 and SIGTERM 143 at once, unless the running command stops cleanly itself.

const OWN = Symbol.for("pos.ownsSignal");

/**
 * Marks a listener as a command's own handling of a signal (a server that drains, a sale that finishes the
 * commit in progress): while one is registered, the default exit steps aside. Listeners that only watch
 * (ora's cursor restore) do not count, so SIGTERM still ends a spinner's command at once.
 */
export function ownSignal<T extends (...args: never[]) => void>(listener: T): T {
  Object.defineProperty(listener, OWN, { value: true });
  return listener;
}

/** Installed once by bin/pos.js: exit 128 + signal number when no command owns the signal. */
export function exitOnSignals(proc: NodeJS.Process = process): void {
  const codes: ReadonlyArray<readonly [NodeJS.Signals, number]> = [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ];
  for (const [signal, code] of codes) {
    proc.on(signal, () => {
      if (!proc.listeners(signal).some((l) => OWN in l)) proc.exit(code);
    });
  }
}
