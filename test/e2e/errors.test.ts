// End-to-end: every kind of error the CLI prints is one line on stderr, names the host or file it concerns, ends
// with "— <fix>", and exits with the code of the README's table (1 failed, 2 bad usage or unknown id, 3 unreachable).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-errors-e2e-");
const empty = tempHome("pos-errors-empty-");
let server: TestServer;
const DEAD = "http://127.0.0.1:9"; // discard port: nothing listens there on loopback

beforeAll(async () => {
  server = await startServer(home.home);
  for (const id of ["SEA01-R1", "SEA01-R2"]) {
    const r = await runPos(["register", "provision", id, "--server", server.url], { home: home.home });
    if (r.code !== 0) throw new Error(`provision failed: ${r.stderr}`);
  }
  // SEA01-R2 points at a server that is not there.
  const set = await runPos(["register", "set", "SEA01-R2", "--server", DEAD], { home: home.home });
  if (set.code !== 0) throw new Error(`register set failed: ${set.stderr}`);
  // …and was switched offline by hand (operation 917), so pos connect has to try it.
  writeFileSync(
    join(home.home, "registers", "SEA01-R2", "state.json"),
    JSON.stringify({ mode: "offline-manual", since: 0, lastReconnectAttempt: null, healthyAt: null, reason: "917" }),
  );
  writeFileSync(join(home.home, "bad.yaml"), "register: SEA01-R1\nsteps:\n  - sale: { lines: 3 }\n");
});

afterAll(async () => {
  await server?.stop();
  home.remove();
  empty.remove();
});

const HOST = () => new RegExp(server.url.replace(/[.:/]/g, "\\$&"));
const DEAD_HOST = /127\.0\.0\.1:9\b/;
const FILE = /\/[\w.-]+\/[\w.-]+/;

/** [what, args, exit code, what the line must name (host or file), where (home by default)] */
const CASES: ReadonlyArray<[string, string[], number, (() => RegExp) | RegExp | null, ("home" | "empty")?]> = [
  ["unknown command", ["bogus"], 2, null],
  ["unknown option", ["doctor", "--bogus"], 2, null],
  ["register not provisioned (status)", ["status", "--register", "NOPE-R9"], 2, FILE],
  ["register not provisioned (show)", ["register", "show", "NOPE-R9"], 2, FILE],
  ["register not provisioned (doctor)", ["doctor", "--register", "NOPE-R9"], 2, FILE],
  ["malformed register id", ["register", "provision", "bad_id"], 2, null],
  ["register unknown at HQ", ["register", "provision", "SEA01-R9"], 2, HOST],
  ["register set: not a URL", ["register", "set", "SEA01-R1", "--server", "notaurl"], 2, null],
  ["register set: nothing to set", ["register", "set", "SEA01-R1"], 2, null],
  ["two registers, none named", ["sync", "pull"], 2, FILE],
  ["cdx sessions --status Bogus", ["cdx", "sessions", "--status", "Bogus"], 2, null],
  ["unknown session (rerun)", ["cdx", "rerun", "99999"], 2, HOST],
  ["unknown session (cancel)", ["cdx", "cancel", "99999"], 2, HOST],
  ["malformed session id", ["cdx", "cancel", "abc"], 2, null],
  ["unknown job", ["cdx", "run", "7777"], 2, HOST],
  ["unknown database", ["cdx", "pause", "NOPE-OFFLINE"], 2, HOST],
  ["unknown product", ["hq", "product", "show", "99999"], 2, HOST],
  ["bad amount", ["hq", "price", "set", "1001", "SEA01", "abc"], 2, null],
  [
    "unknown conflict",
    ["sync", "conflicts", "resolve", "SEA01-R1-999999", "--void", "--register", "SEA01-R1"],
    2,
    FILE,
  ],
  ["conflict: --void and --resend", ["sync", "conflicts", "resolve", "SEA01-R1-000001", "--void", "--resend"], 2, null],
  ["bad port", ["server", "start", "--port", "99999"], 2, null],
  ["malformed scenario", ["replay", "BAD_YAML"], 2, FILE],
  ["sale without staff", ["sale", "--register", "SEA01-R1"], 2, null],
  ["wrong admin token", ["hq", "product", "show", "1001", "--admin-token", "wrong-token-0123456789"], 1, HOST],
  ["no server for this home", ["cdx", "jobs"], 3, FILE, "empty"],
  ["server down: pull", ["sync", "pull", "--register", "SEA01-R2"], 3, DEAD_HOST],
  ["server down: connect", ["connect", "--register", "SEA01-R2"], 3, DEAD_HOST],
  ["server down: admin call", ["hq", "product", "show", "1001", "--server", DEAD], 3, DEAD_HOST],
];

describe("every error: one line, the host or file, a fix, the README's exit code", () => {
  it.each(CASES)("%s", async (_what, args, code, names, where = "home") => {
    const resolved = args.map((a) => (a === "BAD_YAML" ? join(home.home, "bad.yaml") : a));
    const r = await runPos(resolved, { home: where === "home" ? home.home : empty.home, input: "" });
    expect(r.code, r.stderr).toBe(code);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^pos: .+ — \S.*$/);
    expect(lines[0]).not.toMatch(/\bat \S+:\d+:\d+/);
    if (names) expect(lines[0]).toMatch(typeof names === "function" ? names() : names);
  });

  it("cancel or rerun of a session already in that state is a no-op with exit 0", async () => {
    const run = await runPos(["--json", "cdx", "run", "1040", "--db", "SEA01-R1-OFFLINE", "--full"], {
      home: home.home,
    });
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { sessions: Array<{ id: number; database: string }> }).sessions.find(
      (s) => s.database === "SEA01-R1-OFFLINE",
    )?.id;
    const rerun = await runPos(["cdx", "rerun", String(id)], { home: home.home });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/is Available.*already so, nothing to do/);
    const cancel = await runPos(["--json", "cdx", "cancel", String(id)], { home: home.home });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ session: { id, status: "Canceled" }, changed: true });
    const again = await runPos(["--json", "cdx", "cancel", String(id)], { home: home.home });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ session: { id, status: "Canceled" }, changed: false });
  });
});
