// Runs a scenario or journal end to end: server + fault proxy, provisioning, sign-in, each step timed and checked.
import { formatFaults } from "../faults/fault-spec.js";
import { VirtualClock } from "../lib/clock.js";
import { OperationError } from "../lib/errors.js";
import { createHttpClient, type HttpClient } from "../lib/http.js";
import { createMemoryStateStore, initialConnectionState } from "../register/connection-state.js";
import { provisionRegister } from "../register/provision.js";
import { openRegister, type RegisterRuntime } from "../register/runtime.js";
import type { SaleSession } from "../register/sale-session.js";
import { compare } from "./checks.js";
import { appendJournal } from "./journal.js";
import { ownDataExpectation, ownDataLabel } from "./own-data-steps.js";
import { type ReplayReport, type StepRecord, show, summarize } from "./report.js";
import type { Scenario, Step } from "./scenario.js";
import { runSoak, type SoakOptions, type SoakResult, verdictRecord } from "./soak.js";
import { errorCode, executeStep, type ReplayContext, type StepOutcome } from "./steps.js";
import { type ExternalServer, openWorld, type ReplayWorld } from "./world.js";

/** Every run starts its virtual clock here (a Monday, 09:00 UTC), so createdAt and the report repeat exactly. */
export const REPLAY_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);
/** The fault proxy's seed when neither the scenario nor --seed gives one: a replay repeats exactly by default. */
export const DEFAULT_REPLAY_SEED = 1;

export interface RunReplayOptions {
  scenario: Scenario;
  /** Replay against this server instead of an embedded one. */
  server?: ExternalServer;
  clock?: VirtualClock;
  /** Called as each step finishes (the human report streams). */
  onStep?: (record: StepRecord) => void;
  /** Journal the register's completed sales (worth it only in a home that outlives the run). */
  journal?: boolean;
  /** Seeds the fault proxy's draws (over the scenario's `seed`). */
  seed?: number;
  /** Soak mode: the steps (a journal's sales) `repeat` times under a fault mix, then the exactly-once check. */
  soak?: SoakOptions;
}

/**
 * A soak's register waits 1 s for the server (not the profile's 5 s) and retries after a minute of virtual time,
 * so thousands of sales with lost answers finish in minutes; a journal or scenario profile still wins.
 */
const SOAK_PROFILE = { timeoutInterval: 1, reconnectInterval: 1 };

export async function runReplay(options: RunReplayOptions): Promise<ReplayReport> {
  const { scenario } = options;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const clock = options.clock ?? new VirtualClock(REPLAY_EPOCH);
  const records: StepRecord[] = [];
  const record = (r: StepRecord) => {
    records.push(r);
    options.onStep?.(r);
  };
  const seed = options.seed ?? scenario.seed ?? DEFAULT_REPLAY_SEED;
  const world = await openWorld({ clock, seed, ...(options.server ? { server: options.server } : {}) });
  let runtime: RegisterRuntime | undefined;
  let admin: HttpClient | undefined;
  let soak: SoakResult | undefined;
  const switches: string[] = [];
  try {
    const setupStart = performance.now();
    let session: SaleSession | undefined;
    try {
      runtime = await setUp(options, world, clock, switches);
      session = runtime.newSession();
      if (scenario.signIn) await session.signIn(scenario.staff.id, scenario.staff.password);
      if (runtime.manager.mode !== "online") {
        // Every expectation assumes the run starts online; say why it did not instead of failing each step.
        throw new OperationError(
          `the register went ${runtime.manager.mode} while signing in (${switches.join("; ")})`,
          "SetupWentOffline",
          "is the server overloaded? raise timeoutInterval in the scenario's profile",
        );
      }
    } catch (error) {
      record(setupFailure(scenario, error, performance.now() - setupStart, runtime));
    }
    if (runtime && session && records.length === 0) {
      admin = createHttpClient({ baseUrl: world.serverUrl, token: world.adminToken, timeoutMs: 15_000 });
      const ctx: ReplayContext = {
        clock,
        world,
        runtime,
        session,
        admin,
        runIds: [],
        runTotalMinor: 0,
        lastSync: null,
        lastHealthCheck: clock.now(),
        syncLoop: scenario.backgroundSync ? runtime.startSync() : null,
      };
      switches.length = 0;
      if (options.soak) {
        soak = await runSoak(
          ctx,
          scenario.steps,
          options.soak,
          (step, number) => runStep(ctx, { ...step, number }, switches),
          record,
        );
        record(verdictRecord(soak, records.length + 1, runtime.manager.mode));
      } else {
        for (const step of scenario.steps) record(await runStep(ctx, step, switches));
      }
    }
    return {
      format: "pos-replay/1",
      file: scenario.file,
      name: scenario.name,
      source: scenario.source,
      register: scenario.register,
      server: world.label,
      currency: runtime?.context.currency ?? null,
      startedAt,
      elapsedMs: performance.now() - started,
      seed,
      faults: injectedFaults(world),
      ...(soak ? { soak } : {}),
      steps: records,
      summary: summarize(records),
    };
  } finally {
    admin?.close();
    runtime?.close();
    await world.close();
  }
}

/** How many requests each fault kind was applied to during the run (kinds never applied are left out). */
function injectedFaults(world: ReplayWorld): Record<string, number> {
  return Object.fromEntries(Object.entries(world.proxy.stats().faulted).filter(([, n]) => n > 0));
}

/** Provisions the register (with the first sync, so the offline database can carry a sale) and opens it. */
async function setUp(
  options: RunReplayOptions,
  world: ReplayWorld,
  clock: VirtualClock,
  switches: string[],
): Promise<RegisterRuntime> {
  const { scenario } = options;
  const registerId = scenario.register;
  const provisioned = await provisionRegister({
    paths: world.paths,
    clock,
    registerId,
    serverUrl: world.serverUrl,
    adminToken: world.adminToken,
    offline: true,
    sync: true,
  });
  if (provisioned.pull && provisioned.pull.failed > 0) {
    throw new OperationError(`first sync failed: ${provisioned.pull.stoppedBy}`, "SyncFailed");
  }
  return openRegister({
    paths: world.paths,
    clock,
    registerId,
    profile: options.soak ? { ...SOAK_PROFILE, ...scenario.profile } : scenario.profile,
    serverUrl: world.proxy.url,
    // Every run starts online and keeps its state to itself (a --server home's state file is left alone).
    stateStore: createMemoryStateStore(initialConnectionState(clock.now())),
    onSwitch: (event) => switches.push(`${event.from} → ${event.to}: ${event.reason}`),
    ...(options.journal ? { journal: (receipt) => appendJournal(world.paths, registerId, receipt) } : {}),
  });
}

async function runStep(ctx: ReplayContext, step: Step, switches: string[]): Promise<StepRecord> {
  switches.length = 0;
  const start = performance.now();
  let outcome: StepOutcome;
  try {
    outcome = await executeStep(ctx, step);
  } catch (error) {
    outcome = { actual: { error: errorCode(error), message: (error as Error)?.message ?? String(error) }, total: null };
  }
  const elapsedMs = performance.now() - start;
  const { mode, reason } = ctx.runtime.manager.state;
  const actual = { ...outcome.actual, mode, reason };
  const check = compare(expectationOf(step), actual);
  const failed = check.failed.length > 0;
  return {
    step: step.number,
    ...(step.line === undefined ? {} : { line: step.line }),
    kind: step.kind,
    label: labelOf(step),
    ...(step.name === undefined ? {} : { name: step.name }),
    mode,
    total: outcome.total,
    ...(outcome.receipt ? { transaction: outcome.receipt.wire.id, status: outcome.receipt.status } : {}),
    ...(outcome.figures ? { figures: outcome.figures } : {}),
    elapsedMs,
    result: failed ? "fail" : "pass",
    expected: check.expected,
    actual: check.actual,
    message: failed ? failureMessage(check.expected, actual, check.failed) : null,
    switches: [...switches],
    testCase: failed || (step.kind !== "fault" && step.kind !== "wait"),
  };
}

function expectationOf(step: Step): Record<string, unknown> | undefined {
  switch (step.kind) {
    case "sale":
      return step.sale.expect;
    case "op":
    case "signin":
    case "expect":
    case "hq":
      return step.expect;
    case "return":
    case "suspend":
    case "recall":
    case "journal":
      return ownDataExpectation(step);
    default:
      return undefined;
  }
}

/** `mode: expected online, actual offline-auto`; an error nobody expected is shown with its message. */
function failureMessage(expected: Record<string, unknown>, actual: Record<string, unknown>, failed: string[]): string {
  return failed
    .map((field) => {
      if (field === "error") {
        const said = actual.message ? ` (${String(actual.message)})` : "";
        return expected.error === undefined
          ? `${show(actual.error)}${said}`
          : `error: expected ${show(expected.error)}, actual ${show(actual.error)}${said}`;
      }
      return `${field}: expected ${show(expected[field])}, actual ${show(actual[field])}`;
    })
    .join("; ");
}

export function labelOf(step: Step): string {
  switch (step.kind) {
    case "sale": {
      const n = step.sale.lines.length;
      return `sale (${n} line${n === 1 ? "" : "s"})${step.sale.ref ? ` ${step.sale.ref}` : ""}`;
    }
    case "fault":
      return `fault ${formatFaults(step.faults)}`;
    case "wait":
      return `wait ${step.text}`;
    case "op":
      return `op ${step.op}`;
    case "signin":
      return `sign in ${step.staff.id}`;
    case "expect":
      return `expect ${Object.keys(step.expect).join(", ") || "(nothing)"}`;
    case "hq":
      return step.hq.price ? `hq price ${step.hq.price.item} = ${step.hq.price.amount}` : "hq sync customers (async)";
    case "return":
    case "suspend":
    case "recall":
    case "journal":
      return ownDataLabel(step);
  }
}

/** Provisioning or the first sign-in failed: one failed case says so, and no step runs. */
function setupFailure(scenario: Scenario, error: unknown, elapsedMs: number, runtime?: RegisterRuntime): StepRecord {
  const actual = { error: errorCode(error), message: (error as Error)?.message ?? String(error) };
  return {
    step: 0,
    kind: "signin",
    label: `set-up: provision ${scenario.register}, sign in ${scenario.staff.id}`,
    mode: runtime?.manager.mode ?? "online",
    total: null,
    elapsedMs,
    result: "fail",
    expected: {},
    actual,
    message: `${actual.error}: ${actual.message}`,
    switches: [],
    testCase: true,
  };
}
