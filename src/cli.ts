// Builds the program, declares global options, and maps every error to one message and an exit code.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";

// Each entry adds one command group; command files declare options and lazy-load their services,
// so `pos --help` loads commander and nothing heavy.
const COMMAND_GROUPS: ReadonlyArray<() => Promise<{ register(program: Command): void }>> = [
  () => import("./commands/demo.js"),
  () => import("./commands/proxy.js"),
  () => import("./commands/server.js"),
  () => import("./commands/hq.js"),
  () => import("./commands/cdx.js"),
  () => import("./commands/register.js"),
  () => import("./commands/sync.js"),
  () => import("./commands/sale.js"),
  () => import("./commands/status.js"),
  () => import("./commands/replay.js"),
  () => import("./commands/journal.js"),
];

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function buildProgram(): Promise<Command> {
  const program = new Command("pos")
    .description("Register emulator and offline-sync administration tool (retail POS with offline failover)")
    .version(readVersion(), "-V, --version", "print the version")
    .addOption(new Option("--home <dir>", "home folder for server and register data (env POS_HOME, default ~/.pos)"))
    .option("--json", "print one JSON document on stdout; human text goes to stderr")
    .option("--no-color", "no colours (also NO_COLOR)")
    .option("-q, --quiet", "print only results and errors")
    .option("--verbose", "more detail, and stack traces on errors")
    .showSuggestionAfterError(true)
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });
  program.addHelpText(
    "after",
    "\nExit codes: 0 ok, 1 the operation failed, 2 bad usage or input, 3 server unreachable, 130 interrupted.",
  );
  for (const load of COMMAND_GROUPS) (await load()).register(program);
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    for (const leaf of sub.commands) leaf.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
  }
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const verbose = argv.includes("--verbose");
  try {
    const program = await buildProgram();
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return report(error, verbose);
  }
}

function report(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version arrive as "errors" with exit code 0.
    if (error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version") {
      return 0;
    }
    const line = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
    process.stderr.write(`pos: ${line}\n`);
    return 2;
  }
  const err = error as { exitCode?: unknown; code?: unknown; fix?: unknown; message?: unknown; stack?: unknown };
  if (typeof err?.exitCode === "number" && err.code !== "InternalError") {
    const name = typeof err.code === "string" && /^[A-Z]/.test(err.code) ? `${err.code}: ` : "";
    const fix = typeof err.fix === "string" ? ` — ${err.fix}` : "";
    process.stderr.write(`pos: ${name}${String(err.message)}${fix}\n`);
    if (verbose && typeof err.stack === "string") process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pos: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write("pos: run again with --verbose for details, and please report it\n");
  return 1;
}
