// End-to-end: the CLI on awkward terminals — bare groups, `help a b`, a pseudo-terminal that reports zero columns,
// and SIGTERM, which always ends pos at once with 128 + 15.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POS_BIN, type RunResult, runPos, spawnPos, tempHome } from "../helpers/cli.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { startServer, type TestServer } from "../helpers/server.js";

const run = promisify(execFile);
const home = tempHome("pos-terminal-e2e-");
let server: TestServer;

beforeAll(async () => {
  server = await startServer(home.home);
  await provisionTestRegister(home.home, server.url, "SEA01-R1", { seedOffline: false });
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

/**
 * Runs pos inside `script` (a real pseudo-terminal) whose width is set to 0 first, as some CI runners report it.
 * stdin stays open (script ends the session when its input closes); `exec` makes pos script's own child.
 */
function inZeroWidthPty(args: string): { child: ChildProcess; result: Promise<RunResult> } {
  return inPty(args, 0);
}

function inPty(args: string, columns: number, dir = home.home): { child: ChildProcess; result: Promise<RunResult> } {
  const command = `stty cols ${columns}; exec env -u CI -u NO_COLOR TERM=xterm "${process.execPath}" "${POS_BIN}" --home "${dir}" ${args}`;
  const child = spawn("script", ["-qefc", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

describe("usage of a level", () => {
  it.each([[[]], [["cdx"]], [["sync"]], [["hq"]], [["register"]], [["proxy"]], [["server"]]])(
    "pos %j prints that level's usage on stdout and exits 0",
    async (args) => {
      const r = await runPos(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ${["pos", ...args].join(" ")} `));
      expect(r.stdout).toContain("Examples:");
      expect(r.stderr).toBe("");
    },
  );

  it("pos help cdx run shows cdx run, not the cdx group", async () => {
    const r = await runPos(["help", "cdx", "run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pos cdx run \[options\] <job>/);
  });

  it("an unknown subcommand of a group is still exit 2 with one line naming it", async () => {
    const r = await runPos(["sync", "pul"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command 'pul'.*pull/);
  });
});

describe("a pseudo-terminal with zero columns", () => {
  it("sync pull ends by itself, without a spinner writing cursor moves forever", async () => {
    const { child, result } = inZeroWidthPty("sync pull --register SEA01-R1");
    const r = await result;
    child.stdin?.end();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pulled \d+ session|nothing to pull/);
    // One line per session, not a redraw loop: cursor-up sequences would show a spinner ran.
    expect(r.stdout).not.toContain("\u001b[1A");
    expect(r.stdout.length).toBeLessThan(20_000);
  });

  it("SIGTERM ends a running pos sale at once with 143", async () => {
    const { child, result } = inZeroWidthPty("sale --register SEA01-R1 --staff 000160 --password 1234");
    try {
      await new Promise<void>((resolve, reject) => {
        const check = (d: Buffer | string) => String(d).includes("signed in") && resolve();
        child.stdout?.on("data", check);
        void result.then((r) => reject(new Error(`pos sale ended before signing in:\n${r.stdout}`)));
      });
      const { stdout } = await run("pgrep", ["-P", String(child.pid)]);
      const posPid = Number(stdout.trim().split("\n")[0]);
      expect(posPid).toBeGreaterThan(0);
      process.kill(posPid, "SIGTERM");
      const r = await result;
      expect(r.code).toBe(143);
    } finally {
      child.stdin?.end();
      child.kill("SIGKILL");
    }
  });
});

describe("progress of a pull", () => {
  it("shows sessions done/total with bytes and rows on a terminal", async () => {
    const own = tempHome("pos-terminal-pull-");
    const ownServer = await startServer(own.home);
    try {
      await provisionTestRegister(own.home, ownServer.url, "SEA01-R1", { seedOffline: false });
      // Job 9999 makes the new offline database's first sessions, one per job.
      const run9999 = await runPos(["cdx", "run", "9999"], { home: own.home });
      expect(run9999.code, run9999.stderr).toBe(0);
      const { child, result } = inPty("sync pull --register SEA01-R1", 100, own.home);
      const r = await result;
      child.stdin?.end();
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/1\/\d+ sessions · [^\r\n]*\d+(\.\d)? (B|KB|MB), \d+ rows — session \d+/);
      expect(r.stdout).toMatch(/pulled \d+ session\(s\), \d+ rows/);
    } finally {
      await ownServer.stop();
      own.remove();
    }
  });
});

describe("progress of a journal replay", () => {
  const journal = () => {
    const file = join(home.home, "three-sales.ndjson");
    const sale = (item: string) => JSON.stringify({ lines: [{ item }], pay: [{ tender: "card" }] });
    writeFileSync(file, `${["1001", "1002", "1003"].map(sale).join("\n")}\n`);
    return file;
  };

  it("shows sales done/total, rate and ETA on a terminal", async () => {
    const { child, result } = inPty(`replay "${journal()}" --register SEA01-R1`, 100);
    const r = await result;
    child.stdin?.end();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\/3 sales · [\d.]+\/s · ETA \d+s/);
    expect(r.stdout).toContain("3/3 sales");
  });

  it.each<[string, string[], NodeJS.ProcessEnv]>([
    ["off a terminal", [], { CI: "" }],
    ["under CI", [], { CI: "true" }],
  ])("shows none %s", async (_label, extra, env) => {
    const r = await runPos(["replay", journal(), "--register", "SEA01-R1", ...extra], { env });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\d\/3 sales/);
  });

  it("shows none with --json, even on a terminal", async () => {
    const { child, result } = inPty(`--json replay "${journal()}" --register SEA01-R1`, 100);
    const r = await result;
    child.stdin?.end();
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\d\/3 sales/);
  });
});

describe("SIGTERM off a terminal", () => {
  it("a scripted pos sale waiting for input exits 143 at once", async () => {
    // stdin stays open: the sale is waiting for the cashier's next line when the signal comes.
    const child = spawnPos(["sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"], {
      home: home.home,
    });
    try {
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      let stdout = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout?.setEncoding("utf8").on("data", (d: string) => {
          stdout += d;
          if (/line 1: 1 × 1001/.test(stdout)) resolve();
        });
        void exited.then((code) => reject(new Error(`pos sale exited ${code} early:\n${stdout}`)));
        child.stdin?.write("1001\n");
      });
      child.kill("SIGTERM");
      expect(await exited).toBe(143);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("a server still stops cleanly on SIGTERM (exit 0), as it owns the signal", async () => {
    const other = tempHome("pos-terminal-server-");
    try {
      const s = await startServer(other.home);
      const r = await s.stop("SIGTERM");
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("SIGTERM: stopping");
    } finally {
      other.remove();
    }
  });
});

describe("--json errors", () => {
  it.each([
    [["--json", "nosuch"], 2, "BadUsage"],
    [["--json", "sync", "pull"], 2, "RegisterNotProvisioned"],
    [["--json", "replay", "no-such-file.yaml"], 2, undefined],
  ])("%j prints one JSON error document on stdout with the same exit code", async (args, code, errorCode) => {
    const empty = tempHome("pos-json-error-");
    try {
      const r = await runPos(args, { home: empty.home });
      expect(r.code).toBe(code);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string; fix: string | null } };
      expect(Object.keys(doc)).toEqual(["error"]);
      expect(Object.keys(doc.error)).toEqual(["code", "message", "fix"]);
      if (errorCode) expect(doc.error.code).toBe(errorCode);
      expect(doc.error.message.length).toBeGreaterThan(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      empty.remove();
    }
  });

  it("a command that printed its result and then failed adds no second document", async () => {
    const r = await runPos(["--json", "sync", "status", "--register", "NOPE-R9"], { home: home.home });
    expect(r.code).not.toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it("--json --version is JSON", async () => {
    const r = await runPos(["--json", "--version"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: "pos",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      node: process.version,
    });
  });
});

describe("stack traces with --verbose", () => {
  it("name the TypeScript sources through the source maps", async () => {
    const r = await runPos(["--verbose", "replay", "no-such-file.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/src\/replay\/\S+\.ts:\d+/);
  });
});
