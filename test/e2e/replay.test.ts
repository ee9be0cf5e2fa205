// `pos replay` as CI runs it: every ready scenario must hold, a wrong one exits 1 with a JUnit failure, a malformed one 2.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer } from "../helpers/server.js";

const SCENARIOS = readdirSync("scenarios")
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const FIXTURES = "test/fixtures/replay";
const homes: Array<() => void> = [];
afterAll(() => {
  for (const remove of homes) remove();
});

function home(): string {
  const t = tempHome("pos-replay-e2e-");
  homes.push(t.remove);
  return t.home;
}

interface JsonReport {
  steps: Array<Record<string, unknown> & { elapsedMs: number; transaction?: string; result: string }>;
  summary: { ok: boolean; failed: number; sales: number };
  startedAt: string;
  elapsedMs: number;
}

describe("pos replay scenarios/", () => {
  it("ships the scenarios the issue asks for", () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(9);
  });

  it.each(SCENARIOS)("%s holds (exit 0, JUnit without failures)", async (file) => {
    const dir = home();
    const out = join(dir, "reports", "replay.xml");
    const r = await runPos(["replay", join("scenarios", file), "--report", "junit", "--out", out], {
      home: dir,
      timeoutMs: 90_000,
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/every expectation held/);
    const xml = readFileSync(out, "utf8");
    expect(xml).toMatch(/<testsuites name="pos replay" tests="\d+" failures="0"/);
    expect(xml).not.toContain("<failure");
  });
});

describe("pos replay, failing and malformed", () => {
  it("exits 1 when an expectation fails and records it in the JUnit file", async () => {
    const dir = home();
    const out = join(dir, "replay.xml");
    const r = await runPos(["replay", `${FIXTURES}/wrong-expectation.yaml`, "--report", "junit", "--out", out], {
      home: dir,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("pos: ReplayFailed: 2 of 3 checks failed");
    expect(r.stdout).toMatch(
      /FAIL \(line 12\) {2}mode: expected offline, actual online; total: expected 99.99, actual 11.02/,
    );
    const xml = readFileSync(out, "utf8");
    expect(xml).toContain('tests="3" failures="2"');
    expect(xml).toContain(
      '<failure message="mode: expected offline, actual online; total: expected 99.99, actual 11.02" type="ExpectationFailed">',
    );
    expect(xml).toContain('<failure message="pendingUpload: expected 1, actual 0" type="ExpectationFailed">');
  });

  it("reports a register that cannot be set up as one failed case (exit 1), in JSON too", async () => {
    const dir = home();
    const file = join(dir, "unknown-register.yaml");
    writeFileSync(file, 'register: SEA99-R1\nstaff: { id: "000160", password: "1234" }\nsteps: [ { wait: 1m } ]\n');
    const out = join(dir, "replay.json");
    const r = await runPos(["replay", file, "--report", "json", "--out", out], { home: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/ 0 {2}set-up: provision SEA99-R1.* FAIL {2}NotFound: no register SEA99-R1/);
    const report = JSON.parse(readFileSync(out, "utf8")) as JsonReport;
    expect(report.summary).toMatchObject({ ok: false, failed: 1 });
    expect(report.steps).toHaveLength(1);
  });

  it("exits 2 naming file, step, line and field for a malformed scenario", async () => {
    const r = await runPos(["replay", `${FIXTURES}/malformed.yaml`], { home: home() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `pos: BadScenario: ${FIXTURES}/malformed.yaml: step 3 (line 10): sale.lines[0].qty: expected a whole number > 0 — see pos replay --help\n`,
    );
  });

  it.each([
    [["replay", "nope.yaml"], "nope.yaml: no such file"],
    [["replay", `${FIXTURES}/malformed.yaml`, "--report", "xml"], "argument 'xml' is invalid"],
    [["replay", `${FIXTURES}/malformed.yaml`, "--out", "x.xml"], "--out names where the report goes"],
  ])("exits 2 for %j", async (args, message) => {
    const r = await runPos(args, { home: home() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe("determinism and journals", () => {
  it("gives the same transaction ids, totals and report on every run, apart from times", async () => {
    const run = async () => {
      const r = await runPos(["--json", "replay", "scenarios/lost-ack-checkout.yaml"], { home: home() });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as JsonReport;
      return {
        ...report,
        startedAt: "",
        elapsedMs: 0,
        steps: report.steps.map((s) => ({ ...s, elapsedMs: 0 })),
      };
    };
    const [first, second] = [await run(), await run()];
    expect(second).toEqual(first);
    expect(first.steps.flatMap((s) => (s.transaction ? [s.transaction] : []))).toEqual([
      "SEA01-R1-000001",
      "SEA01-R1-000002",
    ]);
  });

  it("journals sales replayed against --server, exports them, and replays the journal", async () => {
    const dir = home();
    const server = await startServer(dir);
    try {
      const args = ["replay", "scenarios/refused-reconnect.yaml", "--server", server.url];
      const first = await runPos(args, { home: dir, timeoutMs: 90_000 });
      expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
      // The register's numbering goes on in its home: a second run makes new ids, not conflicts.
      const second = await runPos(args, { home: dir, timeoutMs: 90_000 });
      expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);

      const journal = join(dir, "sales.ndjson");
      const exported = await runPos(["journal", "export", "--register", "SEA01-R1", "--out", journal], { home: dir });
      expect(exported.code, exported.stderr).toBe(0);
      const lines = readFileSync(journal, "utf8").trim().split("\n");
      expect(lines).toHaveLength(8);
      // Numbers are reserved in blocks, so the second run may start past a gap, but never reuses one.
      const refs = lines.map((l) => (JSON.parse(l) as { ref: string }).ref);
      expect(new Set(refs).size).toBe(8);
      expect([...refs].sort()).toEqual(refs);

      const since = await runPos(["--json", "journal", "export", "--since", "2026-01-05T09:00:30Z"], { home: dir });
      expect(since.code, since.stderr).toBe(0);
      expect((JSON.parse(since.stdout) as { sales: unknown[] }).sales).toHaveLength(4);

      const replayed = await runPos(["--json", "replay", journal], { home: home(), timeoutMs: 90_000 });
      expect(replayed.code, replayed.stderr).toBe(0);
      const report = JSON.parse(replayed.stdout) as JsonReport;
      expect(report.summary).toMatchObject({ ok: true, sales: 8 });
    } finally {
      await server.stop();
    }
  });

  it("names the journal line of a bad sale", async () => {
    const dir = home();
    const file = join(dir, "bad.ndjson");
    writeFileSync(
      file,
      '{"lines":[{"item":"1001"}],"pay":[{"tender":"card"}]}\n{"lines":[],"pay":[{"tender":"card"}]}\n',
    );
    const r = await runPos(["replay", file, "--register", "SEA01-R1"], { home: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: line 2: lines: a sale needs at least one line`);
  });
});
