// A store server's rounds with HQ run on its injected clock: one at start, then one per --hq-interval of that clock.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { StoreRound } from "../../../src/server/store/catch-up.js";
import { type RunningStoreServer, startStoreServer } from "../../../src/server/store/start.js";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("store server rounds", () => {
  let dir: string | undefined;
  let running: RunningStoreServer | undefined;
  afterEach(async () => {
    await running?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs one round at start and the next only when the clock has moved a whole interval", async () => {
    dir = mkdtempSync(join(tmpdir(), "pos-store-loop-"));
    const clock = new VirtualClock();
    const rounds: StoreRound[][] = [];
    let wake: (() => void) | undefined;
    const nextRound = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    let pending = nextRound();
    const port = await closedPort();
    running = await startStoreServer({
      dataDir: join(dir, "server"),
      serverDir: join(dir, "server"),
      host: "127.0.0.1",
      port: 0,
      clock,
      version: "test",
      stores: ["SEA01", "TYO01"],
      hqUrl: `http://127.0.0.1:${port}`,
      hqToken: "token",
      intervalSec: 5,
      onRound: (r) => {
        rounds.push(r);
        wake?.();
      },
    });
    expect(running.hqAway).toMatch(new RegExp(`HQ at http://127.0.0.1:${port} is not answering`));
    await pending;
    expect(rounds).toHaveLength(1);
    expect(rounds[0]?.map((r) => r.store)).toEqual(["SEA01", "TYO01"]);
    expect(rounds[0]?.every((r) => r.error !== null && r.pushed === 0)).toBe(true);
    pending = nextRound();
    clock.advance(4_999);
    // Nothing is due yet; the admin route that runs a round at once needs the store server's admin token.
    const answer = await fetch(`${running.url}/v1/admin/store/catch-up`, { method: "POST" });
    expect(answer.status).toBe(401);
    expect(rounds).toHaveLength(1);
    clock.advance(1);
    await pending;
    expect(rounds).toHaveLength(2);
  });
});
