// One output object: knows --json, --quiet, colour and TTY, so no other module decides where text goes.
import type { Writable } from "node:stream";
import { Chalk, type ChalkInstance } from "chalk";
import { colorLevel, isTerminal, underCi } from "./terminal.js";

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: NodeJS.ProcessEnv;
}

export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** Prompts are allowed: stdout is a terminal (a TTY with a width), not --json, not under CI. */
  readonly interactive: boolean;
  /** Spinners and progress lines are shown: stderr is a terminal too, and not --quiet. */
  readonly progress: boolean;
  /** Colours for the answer: stdout, or stderr when stdout carries JSON (where print() then writes). */
  readonly color: ChalkInstance;
  /** Colours for stderr (info, warnings, spinners); each stream decides on its own. */
  readonly colorErr: ChalkInstance;
  private readonly stdout: OutputStream;
  private readonly stderr: OutputStream;
  private answeredWith = false;

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    const ci = underCi(env);
    this.interactive = isTerminal(this.stdout) && !this.json && !ci;
    this.progress = this.interactive && isTerminal(this.stderr) && !this.quiet;
    const flag = options.color !== false;
    this.colorErr = new Chalk({ level: colorLevel(this.stderr, env, flag) });
    this.color = this.json ? this.colorErr : new Chalk({ level: colorLevel(this.stdout, env, flag) });
  }

  /** A JSON document has gone to stdout: an error after it must not add a second one. */
  get answered(): boolean {
    return this.answeredWith;
  }

  /** The command's result: one JSON document on stdout with --json, the human rendering otherwise. */
  result<T>(data: T, human?: (data: T) => string): void {
    if (this.json) {
      this.answeredWith = true;
      this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      return;
    }
    if (this.quiet || !human) return;
    const text = human(data);
    if (text) this.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Human text that is part of the answer (stdout), moved to stderr when stdout carries JSON. */
  print(text: string): void {
    if (this.quiet) return;
    (this.json ? this.stderr : this.stdout).write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Progress and narration: always stderr, silenced by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.colorErr.yellow(text)}\n`);
  }

  debug(text: string): void {
    if (this.verbose) this.stderr.write(`${this.colorErr.dim(text)}\n`);
  }

  /**
   * A spinner on a TTY; plain lines elsewhere (one per succeed/fail), nothing with --quiet. `unless` is asked once
   * ora has loaded: true (the work already ended) gives a spinner that never draws.
   */
  async spinner(text: string, unless?: () => boolean): Promise<Spinner> {
    if (this.progress) {
      const { default: ora } = await import("ora");
      if (unless?.()) return SILENT_SPINNER;
      // stdin is left alone: ora would put the terminal in raw mode and pause stdin when it stops, under the
      // prompt the cashier is typing into (keys typed ahead during a wait would be lost, or never read).
      const spin = ora({
        text,
        stream: this.stderr,
        color: this.colorErr.level > 0 ? "cyan" : false,
        isEnabled: true,
        discardStdin: false,
      }).start();
      return {
        update: (t) => {
          spin.text = t;
          // Drawn now, not at the next frame: a fast step would otherwise never show its progress.
          if (spin.isSpinning) spin.render();
          else spin.start();
        },
        succeed: (t) => {
          spin.stopAndPersist({ symbol: this.colorErr.green("✔"), text: t ?? spin.text });
        },
        fail: (t) => {
          spin.stopAndPersist({ symbol: this.colorErr.red("✖"), text: t ?? spin.text });
        },
        stop: () => {
          spin.stop();
        },
      };
    }
    let current = text;
    return {
      update: (t) => {
        current = t;
      },
      succeed: (t) => this.info(`${this.colorErr.green("✔")} ${t ?? current}`),
      fail: (t) => this.info(`${this.colorErr.red("✖")} ${t ?? current}`),
      stop: () => {},
    };
  }
}

const SILENT_SPINNER: Spinner = { update: () => {}, succeed: () => {}, fail: () => {}, stop: () => {} };
