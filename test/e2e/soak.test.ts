// `pos replay <journal> --repeat n --fault-mix … --seed s`: a small soak under real proxy faults ends with every
// receipt once at the server and equal totals; the seed is printed; bad soak flags are exit 2.
import { afterAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";

const JOURNAL = "scenarios/journals/store-day.ndjson";
const homes: Array<() => void> = [];
afterAll(() => {
  for (const remove of homes) remove();
});
function home(): string {
  const t = tempHome("pos-soak-e2e-");
  homes.push(t.remove);
  return t.home;
}

interface SoakReport {
  seed: number;
  faults: Record<string, number>;
  soak: {
    sales: number;
    completed: number;
    onServer: number;
    lost: number;
    duplicated: number;
    pending: number;
    totalsEqual: boolean;
    registerTotal: number;
    serverTotal: number;
  };
  steps: Array<{ label: string; result: string; status?: string }>;
  summary: { ok: boolean; sales: number };
}

describe("pos replay soak mode", () => {
  it("60 sales at 15% mixed faults: 0 lost, 0 duplicated, totals equal, seed printed", async () => {
    const r = await runPos(
      [
        "--json",
        "replay",
        JOURNAL,
        "--repeat",
        "3",
        "--fault-mix",
        "reset:0.05,latency 200:0.05,lost-ack:0.05",
        "--seed",
        "42",
      ],
      { home: home(), timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^soak: 60 sales \(3 × 20\), seed 42, fault mix reset probability=0\.05 \+ latency 200/m);
    expect(r.stderr).toMatch(/60 receipts, server holds 60 of them once: 0 lost, 0 duplicated, 0 still pending/);
    const report = JSON.parse(r.stdout) as SoakReport;
    expect(report.seed).toBe(42);
    expect(report.summary).toMatchObject({ ok: true, sales: 60 });
    expect(report.soak).toMatchObject({ sales: 60, completed: 60, onServer: 60, lost: 0, duplicated: 0, pending: 0 });
    expect(report.soak.totalsEqual).toBe(true);
    expect(report.soak.serverTotal).toBe(report.soak.registerTotal);
    // The faults really happened, and some sales went through failover and a later upload.
    expect(report.faults.reset ?? 0).toBeGreaterThan(0);
    expect(report.faults["lost-ack"] ?? 0).toBeGreaterThan(0);
    expect(report.steps.filter((s) => s.status === "pending").length).toBeGreaterThan(0);
    expect(report.steps.at(-1)).toMatchObject({
      label: "exactly once: every receipt once at the server, totals equal",
      result: "pass",
    });
  });

  it.each([
    [["scenarios/lost-ack-checkout.yaml", "--repeat", "2"], /soak a sales journal \(\.ndjson\)/],
    [[JOURNAL, "--fault-mix", "reset"], /--fault-mix: "reset" needs a probability, e.g. "reset:0.02"/],
    [[JOURNAL, "--fault-mix", "reset:2"], /probability must be 0..1/],
    [[JOURNAL, "--fault-mix", "teleport:0.1"], /unknown fault "teleport"/],
    [[JOURNAL, "--repeat", "0"], /times must be a positive whole number, got "0" in --repeat/],
    [[JOURNAL, "--seed", "-3"], /--seed must be a whole number/],
  ])("%j is exit 2 with one line", async (args, message) => {
    const r = await runPos(["replay", ...args], { home: home() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
