// Glue between commander and a command: builds Deps from the global options, lazily.
import type { Command } from "commander";
import type { Deps, GlobalOptions } from "../lib/deps.js";

/** Wraps a command handler: `handler(deps, options, ...args)`; errors reach cli.ts unchanged. */
export function action<A extends unknown[], O>(
  handler: (deps: Deps, options: O, ...args: A) => Promise<unknown> | unknown,
): (...raw: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command;
    const options = command.opts() as O;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const args = raw.slice(0, -2) as A;
    const deps = await createDeps(globals);
    try {
      await handler(deps, options, ...args);
    } catch (error) {
      // The command already printed its JSON document (a failed sync's result): cli.ts must not add a second.
      if (deps.output.answered && typeof error === "object" && error !== null) {
        Object.defineProperty(error, "answered", { value: true });
      }
      throw error;
    }
  };
}

export async function createDeps(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Deps> {
  const [{ Output }, { systemClock }, { createPaths, resolveHome }] = await Promise.all([
    import("../lib/output.js"),
    import("../lib/clock.js"),
    import("../lib/paths.js"),
  ]);
  const output = new Output({
    json: globals.json ?? false,
    quiet: globals.quiet ?? false,
    verbose: globals.verbose ?? false,
    color: globals.color ?? true,
    env,
  });
  return { clock: systemClock, output, paths: createPaths(resolveHome(globals.home, env)), env };
}
