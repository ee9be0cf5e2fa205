// End-to-end: `pos server start --schedule/--try-count` and `pos cdx schedules|try-count` against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-schedules-e2e-");
let server: TestServer;
const pos = (args: string[]) => runPos(args, { home: home.home });
const json = async (args: string[]) => {
  const r = await pos(["--json", ...args]);
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : null };
};

beforeAll(async () => {
  server = await startServer(home.home, ["--schedule", "1040=2m,9999=off", "--try-count", "4"]);
});
afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("recurring distribution schedules", () => {
  it("shows what --schedule and --try-count set, with the defaults for the rest", async () => {
    const r = await json(["cdx", "schedules"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.tryCount).toBe(4);
    const byJob = Object.fromEntries(
      (r.doc.schedules as Array<{ job: string; interval: string; paused: boolean }>).map((s) => [
        s.job,
        `${s.interval}${s.paused ? " paused" : ""}`,
      ]),
    );
    expect(byJob).toEqual({
      "ASYNC-CUSTOMERS": "15m",
      "1010": "15m",
      "1040": "2m",
      "1060": "15m",
      "1070": "15m",
      "1090": "15m",
      "9999": "24h paused",
      "P-0001": "15m",
    });
    const human = await pos(["cdx", "schedules"]);
    expect(human.stdout).toMatch(/^JOB\s+NAME\s+EVERY\s+STATE/);
    expect(human.stdout).toMatch(/9999\s+All download jobs\s+24h\s+paused/);
    expect(human.stdout).toContain("try count: 4");
  });

  it("sets, pauses and resumes a schedule; the change is what the list shows", async () => {
    const set = await json(["cdx", "schedules", "set", "1010", "30m"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.doc.schedule).toMatchObject({ job: "1010", interval: "30m", intervalMs: 1_800_000, paused: false });
    expect((await pos(["cdx", "schedules", "pause", "1010"])).stdout).toContain("schedule 1010 (Customers) paused");
    const resumed = await pos(["cdx", "schedules", "resume", "1010"]);
    expect(resumed.stdout).toMatch(/schedule 1010 \(Customers\) runs every 30m; next run /);
    expect((await pos(["cdx", "try-count", "5"])).stdout).toContain("try count: 5");
    const after = await json(["cdx", "schedules"]);
    expect(after.doc.tryCount).toBe(5);
    expect(after.doc.schedules.find((s: { job: string }) => s.job === "1010")).toMatchObject({ interval: "30m" });
  });

  it.each([
    [["cdx", "schedules", "set", "1040", "soon"], "1040: expected an interval such as 5m, 15m or 24h, or off"],
    [["cdx", "schedules", "pause", "1234"], 'unknown job "1234"'],
    [["cdx", "try-count", "0"], "try count: expected a whole number from 1 to 100"],
  ])("refuses %j with exit 2 and one line", async (args, message) => {
    const r = await pos(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it("refuses a bad --schedule before starting (exit 2, nothing listens)", async () => {
    const other = tempHome("pos-schedules-bad-");
    try {
      const r = await runPos(["server", "start", "--port", "0", "--schedule", "1040=5m,1040=1m"], { home: other.home });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^pos: BadInput: --schedule: 1040 is given twice — \S/);
    } finally {
      other.remove();
    }
  });
});
