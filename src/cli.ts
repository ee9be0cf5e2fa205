// Builds the program, declares global options, and maps every error to one message and an exit code.
import { Command, CommanderError, Option } from "commander";
import { readVersion } from "./lib/version.js";

export { exitOnSignals } from "./lib/signals.js";

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
    name: "doctor",
    summary: "checks a register (or every register of the home) and prints the command that fixes each problem",
    load: () => import("./commands/doctor.js"),
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
    name: "load",
    summary: "many emulated registers against one server: sign-in storm, paced sales, exact verification",
    load: () => import("./commands/load.js"),
  },
  {
    name: "journal",
    summary: "the register's journal of completed sales",
    load: () => import("./commands/journal.js"),
  },
  {
    name: "completion",
    summary: "print a shell completion script: pos completion bash|zsh|fish",
    load: () => import("./commands/completion.js"),
  },
];

/** The whole tree, every command module loaded: what shell completion walks. */
export async function buildFullProgram(): Promise<Command> {
  const program = createRoot();
  const modules = new Set(await Promise.all(COMMANDS.map((c) => c.load())));
  for (const m of modules) m.register(program);
  for (const entry of COMMANDS) program.commands.find((c) => c.name() === entry.name)?.description(entry.summary);
  return program;
}

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

/** Help goes to stdout even when commander shows it "as an error" (a bare group); its error lines go nowhere. */
const OUTPUT = { writeErr: (text: string) => process.stdout.write(text), outputError: () => {} };

/** The program with its global options and nothing else. */
function createRoot(): Command {
  const program = new Command("pos")
    .description("Register emulator and offline-sync administration tool (retail POS with offline failover)")
    .version(readVersion(), "-V, --version", "print the version (with --json: {name, version, node})")
    .addOption(new Option("--home <dir>", "home folder for server and register data (env POS_HOME, default ~/.pos)"))
    .option("--json", "print one JSON document on stdout (errors too); human text goes to stderr")
    .option("--no-color", "no colours (also NO_COLOR=1; FORCE_COLOR=1 forces them)")
    .option("-q, --quiet", "print only results and errors")
    .option("--verbose", "more detail, and stack traces (source-mapped) on errors")
    .showSuggestionAfterError(true)
    .helpCommand("help [command...]", "show help for a command (pos help cdx run)")
    .exitOverride()
    .configureOutput(OUTPUT);
  program.addHelpText(
    "after",
    `
Examples:
  pos demo                                   the whole story on the sample company
  pos --home /tmp/store server start         HQ + retail server
  pos --home /tmp/store register provision SEA01-R1 --sync
  pos --home /tmp/store sale --register SEA01-R1 --staff 000160
  pos help sync pull                         help for one command

Exit codes: 0 ok, 1 the operation failed, 2 bad usage or input, 3 server unreachable, 130 interrupted, 143 terminated.`,
  );
  return program;
}

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = createRoot();
  const wanted = commandNamed(argv.slice(2));
  const chosen = COMMANDS.find((c) => c.name === wanted);
  if (chosen) (await chosen.load()).register(program);
  for (const entry of COMMANDS) {
    const declared = program.commands.find((c) => c.name() === entry.name);
    if (declared) declared.description(entry.summary);
    else program.command(entry.name).description(entry.summary);
  }
  // Every level (pos sync conflicts resolve is three deep) reports its errors through main().
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput(OUTPUT);
    for (const sub of command.commands) quiet(sub);
  };
  for (const sub of program.commands) quiet(sub);
  return program;
}

/**
 * `pos help cdx run` is `pos cdx run --help`: commander's help command names one level only. Global options
 * before `help` stay where they are.
 */
export function normalizeArgs(args: readonly string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    if (arg !== "help" || i === args.length - 1) return [...args];
    return [...args.slice(0, i), ...args.slice(i + 1), "--help"];
  }
  return [...args];
}

/** `pos --json --version`: the version as a JSON document. */
function jsonVersion(args: readonly string[]): string | undefined {
  if (!args.includes("--json") || !(args.includes("--version") || args.includes("-V"))) return undefined;
  if (commandNamed(args) !== undefined) return undefined;
  return `${JSON.stringify({ name: "pos", version: readVersion(), node: process.version })}\n`;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const args = normalizeArgs(argv.slice(2));
  const verbose = args.includes("--verbose");
  const json = args.includes("--json");
  const version = jsonVersion(args);
  if (version) {
    process.stdout.write(version);
    return 0;
  }
  // Homes hold password hashes, device tokens and sales: everything pos creates is for its user alone (folders 0700,
  // files 0600 — SQLite gives -wal/-shm the mode of their database).
  process.umask(0o077);
  const full = [...argv.slice(0, 2), ...args];
  try {
    const program = await buildProgram(full);
    await program.parseAsync(full);
    return 0;
  } catch (error) {
    return report(error, { verbose, json, command: commandNamed(args) });
  }
}

/** Every error line ends with what to do; errors raised without one get the fix their exit code implies. */
export function fallbackFix(exitCode: number, command?: string): string {
  const help = `see pos ${command ? `${command} ` : ""}--help`;
  if (exitCode === 2) return help;
  if (exitCode === 3) return "start the server or check its URL (pos doctor shows which and how)";
  return `pos doctor shows what is wrong and the fix; ${help}`;
}

/** What an error becomes: one line on stderr, and with --json also `{"error":{code,message,fix}}` on stdout. */
export interface ErrorReport {
  exitCode: number;
  code: string;
  message: string;
  fix: string | null;
  /** Set when a command already printed its JSON document: the exit code tells the rest. */
  answered: boolean;
}

/** Maps any thrown value to its report; pure, so a table test covers it. */
export function describeError(error: unknown, command?: string): ErrorReport | undefined {
  if (error instanceof CommanderError) {
    // --help, --version and a bare group's usage arrive as "errors"; none of them is one.
    if (
      error.exitCode === 0 ||
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.code === "commander.help"
    ) {
      return undefined;
    }
    const message = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
    return { exitCode: 2, code: "BadUsage", message, fix: fallbackFix(2, command), answered: false };
  }
  const err = error as { exitCode?: unknown; code?: unknown; fix?: unknown; message?: unknown; answered?: unknown };
  const answered = err?.answered === true;
  if (typeof err?.exitCode === "number" && err.code !== "InternalError") {
    const code = typeof err.code === "string" ? err.code : "Failed";
    const fix = typeof err.fix === "string" ? err.fix : fallbackFix(err.exitCode, command);
    return { exitCode: err.exitCode, code, message: String(err.message), fix, answered };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: 1,
    code: "InternalError",
    message: `internal error: ${message}`,
    fix: "run again with --verbose for details, and please report it",
    answered,
  };
}

function report(error: unknown, options: { verbose: boolean; json: boolean; command: string | undefined }): number {
  const described = describeError(error, options.command);
  if (!described) return 0;
  const { code, message, fix } = described;
  if (options.json && !described.answered) {
    process.stdout.write(`${JSON.stringify({ error: { code, message, fix } }, null, 2)}\n`);
  }
  const stack = (error as { stack?: unknown } | undefined)?.stack;
  if (code === "InternalError") {
    process.stderr.write(`pos: ${message}\n`);
    if (options.verbose && typeof stack === "string") process.stderr.write(`${stack}\n`);
    else process.stderr.write(`pos: ${fix}\n`);
  } else {
    const name = /^[A-Z]/.test(code) && code !== "BadUsage" ? `${code}: ` : "";
    process.stderr.write(`pos: ${name}${message}${fix ? ` — ${fix}` : ""}\n`);
    if (options.verbose && typeof stack === "string" && !(error instanceof CommanderError)) {
      process.stderr.write(`${stack}\n`);
    }
  }
  return described.exitCode;
}
