// End-to-end: offline data exclusion in the offline profile keeps jobs out of registers' offline databases.
import { describe, expect, it } from "vitest";
import { useProvisionedHome } from "../helpers/provisioned-home.js";

const { pos } = useProvisionedHome("pos-exclusion-e2e-");

describe("offline data exclusion", () => {
  it("refuses an exclusion that names no download job (exit 2, the field named)", async () => {
    const r = await pos(["hq", "profile", "set", "DEFAULT", "offlineDataExclusion", "1040,prices"]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'pos: ValidationFailed: body.offlineDataExclusion: offline data exclusion: "prices" is not a download job (expected some of 1010, 1040, 1060, 1070, 1090, comma-separated)',
    );
    expect(lines[0]).toMatch(/ — \S/);
  });

  it("an excluded job makes no session for the register's offline database; the store's still gets one", async () => {
    expect((await pos(["hq", "profile", "set", "DEFAULT", "offlineDataExclusion", "1040"])).code).toBe(0);
    expect((await pos(["hq", "price", "set", "1001", "SEA01", "30"])).code).toBe(0);
    const r = await pos(["--json", "cdx", "run", "1040"]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as {
      sessions: Array<{ database: string; status: string }>;
      skipped: Array<{ database: string; reason: string }>;
    };
    expect(run.sessions.map((s) => s.database)).not.toContain("SEA01-R1-OFFLINE");
    expect(run.sessions).toContainEqual(expect.objectContaining({ database: "SEA01", status: "Applied" }));
    expect(run.skipped).toContainEqual({
      database: "SEA01-R1-OFFLINE",
      reason: "job 1040: offline data exclusion (offline profile)",
    });
  });

  it("the register, told by 1090, refuses to switch offline for a sale that needs products", async () => {
    expect((await pos(["cdx", "run", "1090"])).code).toBe(0);
    expect((await pos(["sync", "pull"])).code).toBe(0);
    const r = await pos(["--json", "sale", "--staff", "000160", "--password", "1234"], "917\n1001\npay card\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "cannot switch offline: job 1040 (products and prices) is excluded from offline databases by offline profile DEFAULT (offline data exclusion)",
    );
    const doc = JSON.parse(r.stdout) as { mode: string; receipts: Array<{ status: string; total: number }> };
    expect(doc.mode).toBe("online");
    expect(doc.receipts).toMatchObject([{ status: "stored", total: 33.11 }]);
  });
});
