import { describe, expect, it } from "vitest";
import { runPos } from "../helpers/cli.js";

describe("pos demo", () => {
  it("tells the whole story, exits 0, and the server's view matches the receipts", async () => {
    const r = await runPos(["--json", "demo"], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      steps: Array<{ title: string }>;
      receipts: Array<{ id: string; total: number; status: string }>;
      server: { transactions: Array<{ id: string; total: number }>; uploadedToHq: number };
      connectionStatus: { mode: string; pending: { count: number } };
    };
    expect(doc.steps.map((s) => s.title)).toEqual([
      expect.stringMatching(/Start HQ/),
      expect.stringMatching(/Provision SEA01-R1/),
      expect.stringMatching(/distribution schedule/),
      expect.stringMatching(/Pull/),
      expect.stringMatching(/Sign in/),
      expect.stringMatching(/Sell online/),
      expect.stringMatching(/unreachable mid-sale/),
      expect.stringMatching(/Sell again offline/),
      expect.stringMatching(/917/),
      expect.stringMatching(/Push/),
      expect.stringMatching(/P-0001/),
    ]);
    expect(doc.receipts.map((x) => x.status)).toEqual(["stored", "pending", "pending"]);
    expect(doc.server.transactions).toEqual(doc.receipts.map((x) => ({ id: x.id, total: x.total })));
    expect(doc.server.uploadedToHq).toBe(3);
    expect(doc.connectionStatus).toMatchObject({ mode: "online", pending: { count: 0 } });
    // The narration went to stderr, stdout carried only the JSON document.
    expect(r.stderr).toMatch(/switched to offline; the sale continues/);
  });
});

describe("pos demo for a new user", () => {
  it("explains each D365 word once, shows cash tendered and change, and ends with next steps that exist", async () => {
    const r = await runPos(["demo"], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    for (const term of ["job 9999", "session", "channel database", "operation 917", "P-0001"]) {
      const explained = out.split("\n").filter((l) => l.startsWith(`   ℹ ${term}:`));
      expect(explained, term).toHaveLength(1);
    }
    // The glossary line for job 9999 follows the first line that names it.
    const lines = out.split("\n");
    const first = lines.findIndex((l) => l.includes("job 9999"));
    expect(lines[first + 1]).toMatch(/^ {3}ℹ /);
    // Cash 50 for 31.96: the receipt shows what was handed over and what came back.
    expect(out).toMatch(/tender\s+amount\s+tendered\s+change\n\s+cash\s+31\.96\s+50\.00\s+18\.04/);
    const next = out.slice(out.indexOf("Next steps"));
    const commands = [...next.matchAll(/^ {2}(pos .+)$/gm)].map((m) => m[1] ?? "");
    expect(commands).toHaveLength(3);
    for (const command of commands) {
      const words = command.split(" ").filter((w) => !w.startsWith("-") && w !== "/tmp/store");
      const help = await runPos([...words.slice(1, 3).filter((w) => /^[a-z]+$/.test(w)), "--help"]);
      expect(help.code, command).toBe(0);
    }
  });
});
