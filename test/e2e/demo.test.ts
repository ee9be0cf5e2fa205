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
