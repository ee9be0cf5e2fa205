// End-to-end: a home made by pos is its user's alone — folders 0700, databases, packages, tokens and sales 0600.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const base = tempHome("pos-modes-");
// A home that does not exist yet, so pos creates it (a temp folder from mkdtemp is 0700 already).
const home = join(base.home, "store");
let server: TestServer;

const pos = async (args: string[], input?: string) => {
  const r = await runPos(args, { home, ...(input === undefined ? {} : { input }) });
  expect(r.code, `${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
};

beforeAll(async () => {
  server = await startServer(home);
  await pos(["register", "provision", "SEA01-R1", "--server", server.url, "--sync"]);
  // One sale online, one offline (pending in offline.db), then the uploads and a distribution run.
  const sale = ["sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"];
  await pos(sale, "1001\npay cash 20\n917\n1002\npay card\nquit\n");
  await pos(["connect"]);
  await pos(["sync", "push"]);
  await pos(["hq", "price", "set", "1001", "SEA01", "10.49"]);
  await pos(["cdx", "run", "9999"]);
  await pos(["sync", "pull"]);
  await pos(["cdx", "run", "P-0001"]);
});

afterAll(async () => {
  await server?.stop();
  base.remove();
});

/** Every path under `dir` (itself included) with its permission bits, as `0600`-style strings. */
function modes(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (path: string) => {
    const stat = statSync(path);
    found.set(relative(home, path) || ".", (stat.mode & 0o777).toString(8).padStart(4, "0"));
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

describe("file modes of a home", () => {
  it("are 0700 for every folder and 0600 for every file, while the server runs", () => {
    const all = modes(home);
    const expected = [
      ".",
      "server",
      "server/hq.db",
      "server/hq.db-wal",
      "server/hq.db-shm",
      "server/channel-SEA01.db",
      "server/channel-SEA01.db-wal",
      "server/channel-TYO01.db",
      "server/admin-token",
      "server/server.json",
      "server/packages",
      "registers/SEA01-R1",
      "registers/SEA01-R1/register.json",
      "registers/SEA01-R1/offline.db",
      "registers/SEA01-R1/journal.ndjson",
    ];
    for (const path of expected) expect(all.has(path), `${path} exists`).toBe(true);
    const packages = [...all.keys()].filter((p) => p.startsWith("server/packages/"));
    expect(packages.length).toBeGreaterThan(5);
    const wrong = [...all].filter(([path, mode]) => {
      const isDir = statSync(join(home, path)).isDirectory();
      return mode !== (isDir ? "0700" : "0600");
    });
    expect(wrong).toEqual([]);
  });
});
