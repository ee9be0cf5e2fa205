// One output object: knows --json, --quiet, colour and TTY, so no other module decides where text goes.
import type { Writable } from "node:stream";
import { Chalk, type ChalkInstance } from "chalk";

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

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
  /** Spinners and prompts are allowed: stdout is a TTY, not --json, not under CI. */
  readonly interactive: boolean;
  readonly color: ChalkInstance;
  private readonly stdout: Writable & { isTTY?: boolean };
  private readonly stderr: Writable & { isTTY?: boolean };

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    const ci = Boolean(env.CI) && env.CI !== "false";
    this.interactive = Boolean(this.stdout.isTTY) && !this.json && !ci;
    const colorAllowed =
      options.color !== false && env.NO_COLOR === undefined && Boolean(this.stderr.isTTY || this.stdout.isTTY);
    this.color = new Chalk({ level: colorAllowed ? 1 : 0 });
  }

  /** The command's result: one JSON document on stdout with --json, the human rendering otherwise. */
  result<T>(data: T, human?: (data: T) => string): void {
    if (this.json) {
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
    this.stderr.write(`${this.color.yellow(text)}\n`);
  }

  debug(text: string): void {
    if (this.verbose) this.stderr.write(`${this.color.dim(text)}\n`);
  }

  /** A spinner on a TTY; plain lines elsewhere (one per succeed/fail), nothing with --quiet. */
  async spinner(text: string): Promise<Spinner> {
    if (this.interactive && !this.quiet) {
      const { default: ora } = await import("ora");
      const spin = ora({ text, stream: this.stderr, color: "cyan" }).start();
      return {
        update: (t) => {
          spin.text = t;
        },
        succeed: (t) => {
          spin.succeed(t);
        },
        fail: (t) => {
          spin.fail(t);
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
      succeed: (t) => this.info(`${this.color.green("✔")} ${t ?? current}`),
      fail: (t) => this.info(`${this.color.red("✖")} ${t ?? current}`),
      stop: () => {},
    };
  }
}
