// Builds the program, declares global options, and maps every error to one message and an exit code.
import { Command, CommanderError, Option } from "commander";
import { readVersion } from "./lib/version.js";

interface CommandModule {
  register(program: Command): void;
}

/**
 * The top-level commands. Only the module of the command being run is imported (it declares its options and
 * subcommands, and lazy-loads its services); for `pos --help` and unknown commands each is a name and summary
 * here, so start-up loads commander and nothing else.
 */
const COMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => Promise<CommandModule> }> = [
  {
    name: "demo",
    summary: "the whole story on the embedded sample company, narrated (temporary home, nothing to set up)",
    load: () => import("./commands/demo.js"),
  },
  {
    name: "proxy",
    summary: "fault proxy between a register and the server: refuse, blackhole, stall, latency, http, reset…",
    load: () => import("./commands/proxy.js"),
  },
  {
    name: "server",
    summary: "run the store back end (HQ + retail server)",
    load: () => import("./commands/server.js"),
  },
  {
    name: "hq",
    summary: "edit HQ master data (prices, products, customers, staff, profiles, registers)",
    load: () => import("./commands/hq.js"),
  },
  {
    name: "register",
    summary: "provision registers and look at local ones",
    load: () => import("./commands/register.js"),
  },
  {
    name: "sync",
    summary: "download packages into a register and upload its transactions",
    load: () => import("./commands/sync.js"),
  },
  {
    name: "sale",
    summary: "sell at a register: item entry, tenders, receipt; fails over to offline and continues",
    load: () => import("./commands/sale.js"),
  },
  {
    name: "status",
    summary: "connection, sync and offline database health of a register at a glance (one quick server check)",
    load: () => import("./commands/status.js"),
  },
  {
    name: "disconnect",
    summary: "operation 917 while online: switch the register to offline (manual) until pos connect",
    load: () => import("./commands/status.js"),
  },
  {
    name: "connect",
    summary: "operation 917 while offline: try the server now and go online (exit 3 if it does not answer)",
    load: () => import("./commands/status.js"),
  },
  {
    name: "cdx",
    summary: "distribution schedules (CDX): jobs, runs, download/upload sessions, channel databases",
    load: () => import("./commands/cdx.js"),
  },
  {
    name: "replay",
    summary: "run a failover scenario (YAML/JSON) or a sales journal (NDJSON) through the fault proxy",
    load: () => import("./commands/replay.js"),
  },
  {
    name: "journal",
    summary: "the register's journal of completed sales",
    load: () => import("./commands/journal.js"),
  },
];

/** Global options that take a value, so the command name is found after them. */
const GLOBAL_WITH_VALUE = new Set(["--home"]);

/** The command the arguments name (`pos --home x sale …` → sale; `pos help cdx` → cdx), if any. */
export function commandNamed(args: readonly string[]): string | undefined {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const arg = args[i] ?? "";
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) words.push(arg);
  }
  return words[0] === "help" ? words[1] : words[0];
}

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
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
  const wanted = commandNamed(argv.slice(2));
  const chosen = COMMANDS.find((c) => c.name === wanted);
  if (chosen) (await chosen.load()).register(program);
  for (const entry of COMMANDS) {
    const declared = program.commands.find((c) => c.name() === entry.name);
    if (declared) declared.description(entry.summary);
    else program.command(entry.name).description(entry.summary);
  }
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    for (const leaf of sub.commands) leaf.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
  }
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const verbose = argv.includes("--verbose");
  // Homes hold password hashes, device tokens and sales: everything pos creates is for its user alone (folders 0700,
  // files 0600 — SQLite gives -wal/-shm the mode of their database).
  process.umask(0o077);
  try {
    const program = await buildProgram(argv);
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
