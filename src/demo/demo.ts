// `pos demo` (SPEC §8): the whole story on the embedded sample company, each step checked before the next.
import { apiPath, wireTransactionSchema } from "../lib/api.js";
import { createCdxClient } from "../lib/cdx-client.js";
import type { Clock } from "../lib/clock.js";
import { OperationError } from "../lib/errors.js";
import { createHttpClient } from "../lib/http.js";
import { provisionRegister } from "../register/provision.js";
import { openRegister, type RegisterRuntime } from "../register/runtime.js";
import type { Receipt } from "../register/sale-session.js";
import { type RegisterStatus, registerStatus } from "../register/status.js";
import { openWorld } from "../replay/world.js";
import { pull } from "../sync/pull.js";
import { push } from "../sync/push.js";

export const DEMO_REGISTER = "SEA01-R1";
const STAFF = { id: "000160", password: "1234" };

export interface DemoStep {
  n: number;
  title: string;
  detail: string;
}

export interface DemoEvents {
  /** A step is about to run. */
  onStart?: (n: number, title: string) => void;
  onStep?: (step: DemoStep) => void;
  /** A receipt was printed (the sale is durable by then). */
  onReceipt?: (receipt: Receipt) => void;
  /** One line when the register switches mode. */
  onSwitch?: (line: string) => void;
}

export interface DemoResult {
  steps: DemoStep[];
  register: string;
  receipts: Array<{ id: string; total: number; status: string }>;
  connectionStatus: RegisterStatus;
  /** The retail server's view of the same transactions (ids, totals) and what P-0001 brought to HQ. */
  server: { transactions: Array<{ id: string; total: number }>; uploadedToHq: number };
}

export async function runDemo(clock: Clock, events: DemoEvents = {}): Promise<DemoResult> {
  const world = await openWorld({ clock });
  const steps: DemoStep[] = [];
  let runtime: RegisterRuntime | null = null;
  const step = async (title: string, run: () => Promise<string>) => {
    const n = steps.length + 1;
    events.onStart?.(n, title);
    const detail = await run();
    const done = { n, title, detail };
    steps.push(done);
    events.onStep?.(done);
  };
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new OperationError(`demo step did not do what it said: ${what}`, "DemoFailed");
  };
  const receipts: Receipt[] = [];
  const keep = (receipt: Receipt | null, status: Receipt["status"]) => {
    expect(receipt !== null, "the sale was not completed");
    const r = receipt as Receipt;
    expect(r.status === status, `sale ${r.transaction.id} is ${r.status}, expected ${status}`);
    receipts.push(r);
    events.onReceipt?.(r);
    return r;
  };
  const cdx = createCdxClient({ url: world.serverUrl, token: world.adminToken });
  try {
    await step("Start HQ and the retail server on a free loopback port (temporary home)", async () => {
      return `server ${world.serverUrl}; registers reach it through a fault proxy at ${world.proxy.url}`;
    });
    await step(`Provision ${DEMO_REGISTER} with offline support`, async () => {
      const result = await provisionRegister({
        paths: world.paths,
        clock,
        registerId: DEMO_REGISTER,
        serverUrl: world.proxy.url,
        adminToken: world.adminToken,
        offline: true,
        sync: false,
      });
      expect(result.database === `${DEMO_REGISTER}-OFFLINE`, "the offline database entity was not created");
      return result.steps.map((s) => `${s.step}. ${s.name}: ${s.detail}`).join("; ");
    });
    await step("Run the distribution schedule (job 9999) for the new offline database", async () => {
      const run = await cdx.run({ job: "9999", database: `${DEMO_REGISTER}-OFFLINE` });
      const made = run.sessions.filter((s) => s.status !== "No data");
      expect(made.length === 5 && made.every((s) => s.full), "expected one full session per download job");
      return made
        .map((s) => `session ${s.id} job ${s.job} (${Object.values(s.rows).reduce((a, b) => a + b, 0)} rows)`)
        .join(", ");
    });
    runtime = await openRegister({
      paths: world.paths,
      clock,
      registerId: DEMO_REGISTER,
      onSwitch: (e) =>
        events.onSwitch?.(`${e.reason} — switched to ${e.to === "online" ? "online" : "offline; the sale continues"}`),
    });
    const rt = runtime;
    await step("Pull the packages into the offline database", async () => {
      const r = await pull({
        http: rt.http,
        db: rt.db,
        clock,
        database: `${DEMO_REGISTER}-OFFLINE`,
        workDir: `${world.paths.registerDir(DEMO_REGISTER)}/downloads`,
      });
      expect(r.failed === 0 && r.applied === 5, `applied ${r.applied} session(s), ${r.failed} failed`);
      const products = rt.local.count("products");
      expect(products > 0, "the offline database has no products");
      return `applied ${r.applied} sessions, ${r.rows} rows (${products} products)`;
    });
    const session = rt.newSession();
    await step(`Sign in as cashier ${STAFF.id}`, async () => {
      const staff = await session.signIn(STAFF.id, STAFF.password);
      expect(rt.manager.mode === "online", "sign-in did not happen online");
      return `${staff.name} (${staff.role}), online`;
    });
    await step("Sell online: 2 × 1001 and barcode 4006381333931, cash 50", async () => {
      await session.addItem("2 x 1001");
      await session.addItem("4006381333931");
      const r = keep(await session.pay("cash", 50), "stored");
      return `${r.transaction.id} total ${r.wire.total} stored at the server, change ${r.change / 100}`;
    });
    await step("Make the server unreachable mid-sale and continue offline", async () => {
      await session.addItem("1003");
      await world.proxy.setFault("refuse");
      await session.addItem("1002");
      expect(rt.manager.mode === "offline-auto", "the register did not fail over");
      const r = keep(await session.pay("card"), "pending");
      return `line 1 kept its online price, line 2 priced offline; ${r.transaction.id} total ${r.wire.total} stored offline, pending upload`;
    });
    await step("Sell again offline (gift card refused: online only)", async () => {
      await session.addItem("3 x 1005");
      let refused = "";
      try {
        await session.pay("giftcard");
      } catch (error) {
        refused = (error as Error).message;
      }
      expect(refused !== "", "a gift card payment was accepted offline");
      const r = keep(await session.pay("cash"), "pending");
      return `${r.transaction.id} total ${r.wire.total} pending; gift card: "${refused}"`;
    });
    await step("The server is back: reconnect with operation 917 (Connect)", async () => {
      await world.proxy.setFault("none");
      await rt.manager.connect();
      expect(rt.manager.mode === "online", "the register is not online");
      return "online again";
    });
    await step("Push the offline transactions", async () => {
      const r = await push({ http: rt.http, local: rt.local, clock, store: rt.config.store });
      expect(
        r.uploaded === 2 && r.pendingAfter === 0 && r.conflicts.length === 0,
        `uploaded ${r.uploaded}, ${r.pendingAfter} pending`,
      );
      return `uploaded ${r.uploaded} transaction(s), 0 pending`;
    });
    let uploadedToHq = 0;
    await step("Run P-0001: the channel database's transactions go up to HQ", async () => {
      const run = await cdx.run({ job: "P-0001" });
      const upload = run.uploads.find((u) => u.database === rt.config.store);
      expect(upload !== undefined && upload.status === "Applied", "the upload session was not applied at HQ");
      uploadedToHq = upload?.transactions ?? 0;
      expect(uploadedToHq === receipts.length, `HQ received ${uploadedToHq} of ${receipts.length} transactions`);
      return `upload session ${upload?.id}: ${uploadedToHq} transactions applied at HQ`;
    });
    const admin = createHttpClient({ baseUrl: world.serverUrl, token: world.adminToken, timeoutMs: 10_000 });
    const transactions: Array<{ id: string; total: number }> = [];
    try {
      for (const r of receipts) {
        const answer = await admin.get(apiPath.adminTransaction(r.transaction.id), wireTransactionSchema);
        expect(answer.ok, `the server does not have ${r.transaction.id}`);
        if (!answer.ok) continue;
        expect(
          answer.body.total === r.wire.total,
          `${r.transaction.id}: server total ${answer.body.total}, receipt ${r.wire.total}`,
        );
        transactions.push({ id: answer.body.id, total: answer.body.total });
      }
    } finally {
      admin.close();
    }
    const connectionStatus = await registerStatus({
      paths: world.paths,
      clock,
      registerId: DEMO_REGISTER,
      probe: true,
    });
    return {
      steps,
      register: DEMO_REGISTER,
      receipts: receipts.map((r) => ({ id: r.transaction.id, total: r.wire.total, status: r.status })),
      connectionStatus,
      server: { transactions, uploadedToHq },
    };
  } finally {
    cdx.close();
    await runtime?.close();
    await world.close();
  }
}
