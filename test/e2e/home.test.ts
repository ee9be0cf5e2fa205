// End-to-end: a home with two registers (`pos status` shows both) and one server per home (a second is refused;
// after kill -9 of the first, the stale lock is taken over).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-home-e2e-");
const pos = (args: string[]) => runPos(args, { home: home.home });
const servers: TestServer[] = [];

beforeAll(async () => {
  servers.push(await startServer(home.home));
  const url = servers[0]?.url ?? "";
  for (const args of [
    ["SEA01-R1", "--server", url, "--sync"],
    ["SEA01-R2", "--server", url, "--no-offline"],
  ]) {
    const r = await pos(["register", "provision", ...args]);
    if (r.code !== 0) throw new Error(`provision failed: ${r.stderr}`);
  }
});

afterAll(async () => {
  for (const s of servers) await s.stop("SIGKILL");
  home.remove();
});

describe("a home with two registers", () => {
  it("pos status shows both in a table; --json is one document", async () => {
    const human = await pos(["status"]);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^register\s+store\s+mode\s+since\s+pending\s+last download\s+last upload\s+problems$/);
    expect(lines[1]).toMatch(/^SEA01-R1\s+SEA01\s+ONLINE\s+\S+ \(.*\)\s+0\s+ok .* ago\s+never\s+0$/);
    expect(lines[2]).toMatch(/^SEA01-R2\s+SEA01\s+ONLINE\s+\S+ \(.*\)\s+0\s+never\s+never\s+0$/);

    const json = await pos(["--json", "status"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { registers: Array<Record<string, unknown>> };
    expect(doc.registers.map((r) => [r.register, r.mode, r.supportsOffline, r.problems])).toEqual([
      ["SEA01-R1", "online", true, []],
      ["SEA01-R2", "online", false, []],
    ]);
    expect(doc.registers[0]).toMatchObject({ server: { reachable: true }, database: { integrity: "ok" } });
  });

  it("names one register with --register as before", async () => {
    const one = await pos(["--json", "status", "--register", "SEA01-R2"]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ register: "SEA01-R2", supportsOffline: false });
  });
});

describe("one server per home", () => {
  it("refuses a second server on the same home with exit 2, naming the pid and URL; server.json stays the first's", async () => {
    const first = servers[0] as TestServer;
    const second = await pos(["server", "start", "--port", "0"]);
    expect(second.code).toBe(2);
    const lines = second.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`a server is already running for this home (pid ${first.child.pid}, ${first.url};`);
    expect(lines[0]).toMatch(/ — .*kill \d+/);
    const serverJson = JSON.parse(readFileSync(join(home.home, "server", "server.json"), "utf8")) as { url: string };
    expect(serverJson.url).toBe(first.url);
    // The first server still answers.
    expect((await pos(["--json", "status", "--register", "SEA01-R1"])).code).toBe(0);
  });

  it("after kill -9 of the first, a new server takes the stale lock over and writes its own server.json", async () => {
    const first = servers[0] as TestServer;
    const killed = await first.stop("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");
    const next = await startServer(home.home);
    servers.push(next);
    expect(next.url).not.toBe(first.url);
    const serverJson = JSON.parse(readFileSync(join(home.home, "server", "server.json"), "utf8")) as {
      url: string;
      pid: number;
    };
    expect(serverJson).toMatchObject({ url: next.url, pid: next.child.pid });
    const lock = JSON.parse(readFileSync(join(home.home, "server", "server.lock"), "utf8")) as { pid: number };
    expect(lock.pid).toBe(next.child.pid);

    // Provisioning again against the new URL says what it changed; register set with the same URL changes nothing.
    const again = await pos(["register", "provision", "SEA01-R1", "--server", next.url]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`changed: server URL ${first.url} → ${next.url}`);
    expect(again.stdout).not.toContain("nothing changed");
    const same = await pos(["--json", "register", "set", "SEA01-R1", "--server", next.url]);
    expect(JSON.parse(same.stdout)).toEqual({ register: "SEA01-R1", changes: [] });
    const moved = await pos(["register", "set", "SEA01-R2", "--server", next.url]);
    expect(moved.stdout.trim()).toBe(`register SEA01-R2: serverUrl ${first.url} → ${next.url}`);
  });

  it("removes its lock on a clean stop, so the next start needs no takeover", async () => {
    const current = servers[servers.length - 1] as TestServer;
    // Its signal handler is in place once it says how to stop it.
    while (!current.output().stderr.includes("press Ctrl-C to stop")) await new Promise((r) => setTimeout(r, 10));
    const stopped = await current.stop();
    expect(stopped.code, JSON.stringify(stopped)).toBe(0);
    expect(() => readFileSync(join(home.home, "server", "server.lock"))).toThrow(/ENOENT/);
  });
});
