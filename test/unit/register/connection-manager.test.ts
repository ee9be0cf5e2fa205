import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import { OperationError } from "../../../src/lib/errors.js";
import { ConnectionManager, type ConnectionRules } from "../../../src/register/connection-manager.js";
import { createMemoryStateStore, initialConnectionState } from "../../../src/register/connection-state.js";
import { type DataSource, type OfflineReadiness, RequestFailure } from "../../../src/register/data-source.js";
import type { RequestOutcome } from "../../../src/register/failover.js";

const minute = 60_000;

function fakeSource(
  kind: "online" | "offline",
  behaviour: { fail?: RequestOutcome | Error } = {},
): DataSource & {
  calls: number;
  behaviour: { fail?: RequestOutcome | Error };
} {
  const source = {
    kind,
    calls: 0,
    behaviour,
    async findProduct(code: string) {
      source.calls++;
      const fail = source.behaviour.fail;
      if (fail instanceof Error) throw fail;
      if (fail) throw new RequestFailure(fail, "failed");
      return { id: code, name: `${kind} ${code}`, taxGroup: "standard", taxRatePpm: 0, unitPrice: 100 };
    },
    searchCustomers: async () => [],
    createCustomer: async () => {
      throw new Error("unused");
    },
    signIn: async () => ({ id: "1", name: "x", role: "cashier" }),
    commitTransaction: async (tx: { id: string }) => ({ id: tx.id, status: "stored" as const }),
  };
  return source as never;
}

function setup(
  options: {
    rules?: Partial<ConnectionRules>;
    probe?: RequestOutcome;
    readiness?: OfflineReadiness;
    offline?: boolean;
  } = {},
) {
  const clock = new VirtualClock(0);
  const store = createMemoryStateStore(initialConnectionState(0));
  const online = fakeSource("online");
  const offline = fakeSource("offline");
  const probe = { outcome: options.probe ?? ({ kind: "response", status: 200 } as RequestOutcome), calls: 0 };
  const switches: string[] = [];
  const watch = { now: 0, answerMs: 5, reading: false };
  const manager = new ConnectionManager({
    clock,
    store,
    rules: {
      timeoutMs: 5000,
      reconnectMs: minute,
      advancedOfflineSwitching: false,
      healthCheckMs: minute,
      supportsOffline: true,
      allowManualOfflineBeforeSignIn: false,
      offlineProfileId: "DEFAULT",
      slowResponseThresholdMs: 0,
      slowResponseCount: 0,
      ...options.rules,
    },
    online,
    offline: options.offline === false ? null : offline,
    offlineReadiness: () => options.readiness ?? { ok: true },
    probe: async () => {
      probe.calls++;
      return probe.outcome;
    },
    onSwitch: (e) => switches.push(`${e.from}->${e.to}`),
    // Each answer (or probe) takes as long as the test says: the stopwatch moves by `answerMs` per reading pair.
    stopwatch: () => {
      watch.reading = !watch.reading;
      if (!watch.reading) watch.now += watch.answerMs;
      return watch.now;
    },
  });
  return { clock, store, online, offline, probe, switches, manager, watch };
}

describe("ConnectionManager", () => {
  it("answers from the server while it answers", async () => {
    const t = setup();
    const p = await t.manager.run((s) => s.findProduct("1001"));
    expect(p?.name).toBe("online 1001");
    expect(t.manager.mode).toBe("online");
  });

  it.each<[string, RequestOutcome]>([
    ["refused", { kind: "network", code: "ECONNREFUSED" }],
    ["timeout", { kind: "timeout", afterMs: 5000 }],
    ["503", { kind: "response", status: 503 }],
    ["garbage", { kind: "invalid-body" }],
  ])("fails over on %s and answers the same request offline", async (_n, outcome) => {
    const t = setup();
    t.online.behaviour.fail = outcome;
    const p = await t.manager.run((s) => s.findProduct("1001"));
    expect(p?.name).toBe("offline 1001");
    expect(t.manager.mode).toBe("offline-auto");
    expect(t.switches).toEqual(["online->offline-auto"]);
  });

  it("a business error does not fail over", async () => {
    const t = setup();
    t.online.behaviour.fail = new OperationError("no such product", "NotFound");
    await expect(t.manager.run((s) => s.findProduct("9"))).rejects.toThrow("no such product");
    expect(t.manager.mode).toBe("online");
    expect(t.offline.calls).toBe(0);
  });

  it("reconnects only at the start of a transaction after reconnectInterval", async () => {
    const t = setup();
    t.online.behaviour.fail = { kind: "network", code: "ECONNREFUSED" };
    await t.manager.run((s) => s.findProduct("1"));
    delete t.online.behaviour.fail;
    t.clock.advance(minute - 1);
    await t.manager.startTransaction();
    expect(t.manager.mode).toBe("offline-auto");
    expect(t.probe.calls).toBe(0);
    t.clock.advance(1);
    await t.manager.run((s) => s.findProduct("1")); // mid-transaction: no attempt
    expect(t.probe.calls).toBe(0);
    await t.manager.startTransaction();
    expect(t.probe.calls).toBe(1);
    expect(t.manager.mode).toBe("online");
  });

  it("a failed reconnect waits another full interval", async () => {
    const t = setup({ probe: { kind: "network", code: "ECONNREFUSED" } });
    t.online.behaviour.fail = { kind: "network", code: "ECONNREFUSED" };
    await t.manager.run((s) => s.findProduct("1"));
    t.clock.advance(minute);
    await t.manager.startTransaction();
    expect(t.probe.calls).toBe(1);
    t.clock.advance(minute / 2);
    await t.manager.startTransaction();
    expect(t.probe.calls).toBe(1);
    t.clock.advance(minute / 2);
    await t.manager.startTransaction();
    expect(t.probe.calls).toBe(2);
  });

  it("manual disconnect never reconnects by itself; connect tries at once", async () => {
    const t = setup({ probe: { kind: "network", code: "ECONNREFUSED" } });
    t.manager.noteSignedIn();
    t.manager.disconnect();
    t.clock.advance(60 * minute);
    await t.manager.startTransaction();
    expect(t.manager.mode).toBe("offline-manual");
    expect(t.probe.calls).toBe(0);
    await expect(t.manager.connect()).rejects.toThrow("server refused the connection");
    expect(t.manager.mode).toBe("offline-manual");
    t.probe.outcome = { kind: "response", status: 200 };
    await t.manager.connect();
    expect(t.manager.mode).toBe("online");
  });

  it("advanced switching: a healthy background check returns online at the next operation", async () => {
    const t = setup({ rules: { advancedOfflineSwitching: true } });
    t.online.behaviour.fail = { kind: "timeout", afterMs: 5000 };
    await t.manager.run((s) => s.findProduct("1"));
    delete t.online.behaviour.fail;
    t.clock.advance(1000);
    expect(await t.manager.healthCheck()).toBe(true);
    const p = await t.manager.run((s) => s.findProduct("1"));
    expect(p?.name).toBe("online 1");
  });

  it("refuses to switch when the offline database lacks channel configuration", async () => {
    const t = setup({
      readiness: {
        ok: false,
        code: "ChannelConfigurationNotFound",
        message: "no channel configuration",
        fix: "run 1070",
      },
    });
    t.online.behaviour.fail = { kind: "network", code: "ECONNREFUSED" };
    await expect(t.manager.run((s) => s.findProduct("1"))).rejects.toMatchObject({
      code: "ChannelConfigurationNotFound",
      fix: "run 1070",
    });
    expect(t.manager.mode).toBe("online");
  });

  it("a register without an offline database loses the server: exit code 3", async () => {
    const t = setup({ offline: false, rules: { supportsOffline: false } });
    t.online.behaviour.fail = { kind: "network", code: "ECONNREFUSED" };
    await expect(t.manager.run((s) => s.findProduct("1"))).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe("ConnectionManager, slow-server switching", () => {
  const slow = { slowResponseThresholdMs: 300, slowResponseCount: 3, advancedOfflineSwitching: true };

  it("the third slow answer in a row switches offline (auto) with the measured time; the answer is kept", async () => {
    const t = setup({ rules: slow });
    const reasons: string[] = [];
    t.watch.answerMs = 800;
    for (let i = 0; i < 2; i++) await t.manager.run((s) => s.findProduct("1"));
    expect(t.manager.mode).toBe("online");
    const third = await t.manager.run((s) => s.findProduct("1"));
    expect(third?.name).toBe("online 1");
    expect(t.manager.mode).toBe("offline-auto");
    reasons.push(t.manager.state.reason ?? "");
    expect(reasons).toEqual(["server slow: p50 800 ms over the last 3 answers (threshold 300 ms)"]);
    expect((await t.manager.run((s) => s.findProduct("1")))?.name).toBe("offline 1");
  });

  it("a fast answer in between starts the count again", async () => {
    const t = setup({ rules: slow });
    for (const ms of [800, 800, 20, 800, 800]) {
      t.watch.answerMs = ms;
      await t.manager.run((s) => s.findProduct("1"));
    }
    expect(t.manager.mode).toBe("online");
  });

  it("stays online when the register cannot sell offline (the server still answers)", async () => {
    const t = setup({ rules: slow, readiness: { ok: false, code: "TerminalNotFound", message: "no", fix: "1090" } });
    t.watch.answerMs = 800;
    for (let i = 0; i < 4; i++) await t.manager.run((s) => s.findProduct("1"));
    expect(t.manager.mode).toBe("online");
  });

  it("the health check brings it back only once the server is fast again", async () => {
    const t = setup({ rules: slow });
    t.watch.answerMs = 800;
    for (let i = 0; i < 3; i++) await t.manager.run((s) => s.findProduct("1"));
    expect(t.manager.mode).toBe("offline-auto");
    t.clock.advance(minute);
    expect(await t.manager.healthCheck()).toBe(false);
    await t.manager.run((s) => s.findProduct("1"));
    expect(t.manager.mode).toBe("offline-auto");
    t.watch.answerMs = 30;
    t.clock.advance(minute);
    expect(await t.manager.healthCheck()).toBe(true);
    await t.manager.run((s) => s.findProduct("1"));
    expect(t.manager.mode).toBe("online");
    expect(t.switches).toEqual(["online->offline-auto", "offline-auto->online"]);
  });

  it("is off with a threshold or count of 0", async () => {
    const t = setup({ rules: { slowResponseThresholdMs: 0, slowResponseCount: 3 } });
    t.watch.answerMs = 60_000;
    for (let i = 0; i < 5; i++) await t.manager.run((s) => s.findProduct("1"));
    expect(t.manager.mode).toBe("online");
  });
});

describe("ConnectionManager, allowManualOfflineBeforeSignIn", () => {
  it("refuses 917 Disconnect before sign-in when the profile does not allow it, with the D365 name and the fix", () => {
    const t = setup();
    expect(t.manager.offlineSignInOffered).toBe(false);
    expect(() => t.manager.disconnect()).toThrow(
      expect.objectContaining({
        code: "ManualOfflineBeforeSignInNotAllowed",
        message: expect.stringContaining("not allowed by offline profile DEFAULT"),
        fix: expect.stringContaining("pos hq profile set DEFAULT allowManualOfflineBeforeSignIn true"),
      }),
    );
    expect(t.manager.mode).toBe("online");
    t.manager.noteSignedIn();
    expect(t.manager.disconnect()?.to).toBe("offline-manual");
  });

  it("allows it before sign-in when the profile does, and offers it at sign-in", () => {
    const t = setup({ rules: { allowManualOfflineBeforeSignIn: true } });
    expect(t.manager.offlineSignInOffered).toBe(true);
    expect(t.manager.disconnect()?.to).toBe("offline-manual");
    expect(t.manager.offlineSignInOffered).toBe(false);
  });

  it("is not offered on a register without offline support", () => {
    const t = setup({ rules: { allowManualOfflineBeforeSignIn: true, supportsOffline: false } });
    expect(t.manager.offlineSignInOffered).toBe(false);
  });
});
