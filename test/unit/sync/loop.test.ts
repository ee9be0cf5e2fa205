import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import { createSyncLoop, type SyncRound } from "../../../src/sync/loop.js";

/** Lets every promise chain that is ready run (the loop's rounds are async but need no real time). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function loop(overrides: Partial<Parameters<typeof createSyncLoop>[0]> = {}) {
  const clock = new VirtualClock();
  const calls: string[] = [];
  const rounds: SyncRound[] = [];
  const sync = createSyncLoop({
    clock,
    downloadMs: 60_000,
    uploadMs: 20_000,
    pullOnce: async () => {
      calls.push("pull");
      return "pulled";
    },
    pushOnce: async () => {
      calls.push("push");
      return "pushed";
    },
    report: async () => {
      calls.push("report");
    },
    onRound: (round) => rounds.push(round),
    ...overrides,
  });
  return { clock, sync, calls, rounds };
}

describe("createSyncLoop", () => {
  it("pushes every uploadMs and pulls every downloadMs of clock time, reporting after each round", async () => {
    const { clock, sync, calls, rounds } = loop({ downloadMs: 50_000 });
    sync.start();
    await settle();
    expect(calls).toEqual([]);
    for (let t = 0; t < 6; t++) {
      clock.advance(10_000);
      await settle();
    }
    // 20 s push, 40 s push, 50 s pull, 60 s push: nothing runs before its interval.
    expect(calls).toEqual(["push", "report", "push", "report", "pull", "report", "push", "report"]);
    expect(rounds.map((r) => `${r.kind} ${r.ok} ${r.message}`)).toEqual([
      "upload true pushed",
      "upload true pushed",
      "download true pulled",
      "upload true pushed",
    ]);
    await sync.stop();
    clock.advance(600_000);
    await settle();
    expect(rounds).toHaveLength(4);
  });

  it("never runs two rounds at once: runNow during a round is skipped", async () => {
    let release: () => void = () => {};
    const { sync, calls } = loop({
      pullOnce: () =>
        new Promise<string>((resolve) => {
          calls.push("pull started");
          release = () => resolve("done");
        }),
    });
    const first = sync.runNow("download");
    await settle();
    expect(await sync.runNow("upload")).toBeNull();
    release();
    expect(await first).toEqual({ kind: "download", ok: true, message: "done" });
    expect(calls).toEqual(["pull started", "report"]);
  });

  it("a failed round is reported as such; a failing report never disturbs it", async () => {
    const { sync, rounds } = loop({
      pushOnce: async () => {
        throw new Error("server unreachable: connection refused");
      },
      report: async () => {
        throw new Error("HQ down");
      },
    });
    expect(await sync.runNow("upload")).toEqual({
      kind: "upload",
      ok: false,
      message: "server unreachable: connection refused",
    });
    expect(rounds).toHaveLength(1);
  });

  it("skips rounds while the register is offline (shouldRun), without counting them as failures", async () => {
    let online = false;
    const { clock, sync, calls } = loop({ shouldRun: () => online });
    sync.start();
    clock.advance(20_000);
    await settle();
    expect(calls).toEqual([]);
    online = true;
    clock.advance(20_000);
    await settle();
    expect(calls).toEqual(["push", "report"]);
    await sync.stop();
  });

  it("stop waits for the round in progress and schedules nothing after it", async () => {
    let release: () => void = () => {};
    const { clock, sync, calls } = loop({
      pushOnce: () =>
        new Promise<string>((resolve) => {
          calls.push("push started");
          release = () => resolve("ok");
        }),
    });
    sync.start();
    clock.advance(20_000);
    await settle();
    expect(calls).toEqual(["push started"]);
    let stopped = false;
    const stopping = sync.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(calls).toEqual(["push started", "report"]);
    clock.advance(120_000);
    await settle();
    expect(calls).toEqual(["push started", "report"]);
  });
});
