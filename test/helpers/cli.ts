// Runs the built CLI (bin/pos.js) as a user would, in a temporary home.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const POS_BIN = fileURLToPath(new URL("../../bin/pos.js", import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** Spawns `node bin/pos.js ...args` (with --home when given) and collects its output. */
export function runPos(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnPos(args, options);
  return collect(child, options);
}

export function spawnPos(args: string[], options: RunOptions = {}): ChildProcess {
  const full = options.home ? ["--home", options.home, ...args] : args;
  const child = spawn(process.execPath, [POS_BIN, ...full], {
    env: { ...process.env, NO_COLOR: "1", CI: "true", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  // A command that exits before reading its input (exit 2 on a bad file): the unread input is EPIPE, not a failure.
  child.stdin?.on("error", () => {});
  return child;
}

export function collect(child: ChildProcess, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** A fresh temporary folder; call the returned `remove` in afterEach/afterAll. */
export function tempHome(prefix = "pos-test-"): { home: string; remove: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, remove: () => rmSync(home, { recursive: true, force: true }) };
}
