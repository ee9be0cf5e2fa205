// A chain on one server: 200 paced registers with sign-ins at 5/s, a 200-register sign-in storm, `cdx run 9999` for
// 200 offline databases (full, then nothing changed, then full during sales); raw node:http baseline in the same run.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateFixtures } from "../fixtures/generate.js";
import { systemClock } from "../src/lib/clock.js";
import { hashPassword, verifyPassword } from "../src/lib/password.js";
import { createRegisterConnection } from "../src/load/client.js";
import { runLoad } from "../src/load/run.js";
import { percentile } from "../src/load/stats.js";
import { figure, median, timeMsAsync } from "./lib.js";

const POS = fileURLToPath(new URL("../bin/pos.js", import.meta.url));
const REGISTERS = 200;
const SECONDS = Number(process.env.POS_BENCH_LOAD_SECONDS ?? 20);
const THINK_MS = 250;

function start(args: string[], marker: RegExp): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1" } });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const url = marker.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before listening:\n${out}`)));
  });
}

// The baseline: the cheapest possible server on the same machine, paced the same way, one socket per register.
const RAW_SERVER = `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => { s.setHeader("content-type", "application/json"); s.end('{"ok":true}'); }); }).listen(0, "127.0.0.1", function () { console.log("listening on http://127.0.0.1:" + this.address().port); });`;

async function pacedBaseline(url: string): Promise<number> {
  const conns = Array.from({ length: REGISTERS }, () => createRegisterConnection(url, 30_000));
  const times: number[] = [];
  const until = Date.now() + Math.min(10, SECONDS) * 1000;
  await Promise.all(
    conns.map(async (c) => {
      await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
      while (Date.now() < until) {
        times.push((await c.call("POST", "/v1/transactions", { id: "x", lines: [1, 2, 3] })).ms);
        await new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random())));
      }
    }),
  );
  for (const c of conns) c.close();
  return percentile(
    times.sort((a, b) => a - b),
    99,
  );
}

async function cdxRun(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ ms: number; answer: Record<string, unknown> }> {
  const admin = createRegisterConnection(url, 120_000);
  try {
    const r = await admin.call("POST", "/v1/admin/cdx/run", body, token);
    if (r.status !== 200) throw new Error(`cdx run answered ${r.status}: ${JSON.stringify(r.body)}`);
    return { ms: r.ms, answer: r.body as Record<string, unknown> };
  } finally {
    admin.close();
  }
}

const verdict = (value: number, limit: number) => `target ≤ ${limit} ${value <= limit ? "OK" : "MISSED"}`;

export default async function loadBench(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "pos-bench-load-"));
  const children: ChildProcess[] = [];
  try {
    const fixtures = join(home, "chain");
    await generateFixtures({
      products: 2000,
      seed: 1,
      out: fixtures,
      stores: 20,
      registersPerStore: 10,
      staffPerStore: 5,
    });
    const raw = await start(["-e", RAW_SERVER], /listening on (http:\/\/\S+)/);
    children.push(raw.child);
    const baselineP99 = await pacedBaseline(raw.url);
    raw.child.kill();
    figure(`raw node:http, ${REGISTERS} paced registers: p99`, baselineP99, "ms", "baseline");

    const server = await start(
      [POS, "--home", home, "server", "start", "--port", "0", "--fixtures", fixtures],
      /listening on (http:\/\/\S+)/,
    );
    children.push(server.child);
    const token = readFileSync(join(home, "server", "admin-token"), "utf8").trim();

    const full = await cdxRun(server.url, token, { job: "9999" });
    figure(
      `cdx run 9999, ${REGISTERS} new offline databases (full)`,
      full.ms,
      "ms",
      `${full.answer.packages} packages; ${verdict(full.ms, 2000)}`,
    );
    const idle = await cdxRun(server.url, token, { job: "9999" });
    figure(
      "cdx run 9999, nothing changed",
      idle.ms,
      "ms",
      `${(idle.answer.sessions as unknown[]).length} sessions; ${verdict(idle.ms, 500)}`,
    );

    const base = {
      server: server.url,
      adminToken: token,
      stateFile: join(home, "load", "state.json"),
      clock: systemClock,
    };
    const options = {
      registers: REGISTERS,
      stores: undefined,
      durationMs: SECONDS * 1000,
      thinkMs: THINK_MS,
      signinRate: 5,
      journal: undefined,
      items: ["1001", "1002", "1003", "1004", "1005"],
      password: "1234",
      timeoutMs: 30_000,
      p99: undefined,
    };
    const paced = await runLoad({ ...base, ...options });
    const checkout = paced.kinds.find((k) => k.kind === "checkout");
    const signin = paced.kinds.find((k) => k.kind === "signin");
    figure(
      `sign-in storm, ${REGISTERS} registers at once`,
      paced.signinStorm.ms,
      "ms",
      verdict(paced.signinStorm.ms, 3000),
    );
    // What the storm cannot go below on this machine now: one scrypt run per distinct cashier (the sign-in cache
    // shares the rest), on the cores libuv's pool gets.
    const stored = hashPassword("1234");
    const scryptMs = median(
      await Promise.all([0, 1, 2, 3, 4].map(() => timeMsAsync(() => verifyPassword("1234", stored)))),
    );
    const cashiers = 20 * 4;
    figure(
      "  one scrypt verification now (5 side by side)",
      scryptMs,
      "ms",
      `${cashiers} distinct cashiers sign in → ≥ ${Math.round((cashiers * scryptMs) / 5)} ms at 5 at once`,
    );
    figure(
      `paced sales (${THINK_MS} ms think) + 5 sign-ins/s: checkout p99`,
      checkout?.p99 ?? 0,
      "ms",
      `${verdict(checkout?.p99 ?? 0, 20)}; ${((checkout?.p99 ?? 0) / Math.max(0.01, baselineP99)).toFixed(1)}× baseline`,
    );
    figure("  checkout p50 / sign-in p99", checkout?.p50 ?? 0, "ms", `sign-in p99 ${signin?.p99 ?? 0} ms`);
    figure(
      "  sales acknowledged",
      paced.sales.acknowledged,
      "sales",
      `${paced.sales.perSecond}/s; verified ${paced.verification.ok ? "OK (none lost, duplicated or extra)" : "FAILED"}`,
    );

    // A full distribution run in the middle of paced sales.
    const during = runLoad({ ...base, ...options, signinRate: 0 });
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    const fullDuring = await cdxRun(server.url, token, { job: "9999", full: true });
    const withRun = await during;
    const checkoutDuring = withRun.kinds.find((k) => k.kind === "checkout")?.p99 ?? 0;
    figure("cdx run 9999 --full during paced sales", fullDuring.ms, "ms", `${fullDuring.answer.packages} packages`);
    figure(
      "  checkout p99 during that run",
      checkoutDuring,
      "ms",
      `${verdict(checkoutDuring, 30)}; verified ${withRun.verification.ok ? "OK" : "FAILED"}`,
    );
  } finally {
    for (const child of children) child.kill();
    await timeMsAsync(() => new Promise((r) => setTimeout(r, 500)));
    rmSync(home, { recursive: true, force: true });
  }
}
