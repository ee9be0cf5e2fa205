// Drives a scripted `pos sale` (commands on stdin) step by step, waiting for its output between commands.
import { spawnPos } from "./cli.js";

/** The argv of a scripted `pos --json sale` for a register and staff (the sample passwords are 1234). */
export function scriptedSaleArgs(register: string, staff = "000160", password = "1234"): string[] {
  return ["--json", "sale", "--register", register, "--staff", staff, "--password", password];
}

export interface SaleProcess {
  send(line: string): void;
  /** Waits until stdout+stderr match; returns the elapsed ms since the call. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<number>;
  /** Closes stdin and waits for the exit. */
  end(lines?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  readonly text: string;
}

export function startSale(home: string, args: string[], env: NodeJS.ProcessEnv = {}): SaleProcess {
  const child = spawnPos(args, { home, env });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return {
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
    waitFor: async (pattern, timeoutMs = 20_000) => {
      const started = performance.now();
      while (!pattern.test(stdout + stderr)) {
        if (performance.now() - started > timeoutMs) {
          throw new Error(`timed out waiting for ${pattern}:\n${stdout}\n${stderr}`);
        }
        if (child.exitCode !== null)
          throw new Error(`pos sale exited ${child.exitCode} before ${pattern}:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now() - started;
    },
    end: async (lines) => {
      child.stdin?.end(lines ?? "");
      const r = await exited;
      clearTimeout(killer);
      return { ...r, stdout, stderr };
    },
    kill: (signal) => {
      child.kill(signal);
    },
    get text() {
      return stdout + stderr;
    },
  };
}
