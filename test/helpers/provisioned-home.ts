// One test file's world: a temp home, `pos server start` in it, SEA01-R1 provisioned with `--sync`; always torn down.
import { afterAll, beforeAll, expect } from "vitest";
import { runPos, tempHome } from "./cli.js";
import { startServer, type TestServer } from "./server.js";

export function useProvisionedHome(prefix: string) {
  const home = tempHome(prefix);
  let server: TestServer | undefined;
  const pos = (args: string[], input?: string) =>
    runPos(args, { home: home.home, ...(input === undefined ? {} : { input }) });
  /** Runs with --json, expects exit 0, answers the document. */
  const json = async (args: string[]) => {
    const r = await pos(["--json", ...args]);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(async () => {
    server = await startServer(home.home);
    const r = await pos(["register", "provision", "SEA01-R1", "--server", server.url, "--sync"]);
    if (r.code !== 0) throw new Error(r.stderr);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    home.remove();
  });
  return { home: home.home, pos, json };
}
