import { describe, expect, it } from "vitest";
import { defaultFixturesDir, loadFixtures } from "../../../src/lib/fixtures.js";
import { createOfflineStore } from "../../../src/offline/offline-store.js";
import { offlineReadiness } from "../../../src/register/offline-source.js";
import { openOfflineDatabase } from "../../../src/schema/offline.js";
import { TABLE_NAMES, TABLES } from "../../../src/schema/tables.js";
import { excludedJobsOf, parseExcludedJobs } from "../../../src/sync/package/exclusion.js";

describe("offline data exclusion", () => {
  it.each<[string | null, string[]]>([
    [null, []],
    ["", []],
    ["1010", ["1010"]],
    [" 1010, 1040 ,1010", ["1010", "1040"]],
  ])("parses %j", (text, jobs) => {
    expect(parseExcludedJobs(text)).toEqual(jobs);
  });

  it.each(["9999", "customers", "1010;1040"])("refuses %j, naming the jobs it takes", (text) => {
    expect(() => parseExcludedJobs(text)).toThrow(/is not a download job \(expected some of 1010, 1040, 1060/);
    expect(excludedJobsOf(text)).toEqual([]);
  });

  describe("switching offline with data excluded", () => {
    const db = openOfflineDatabase(":memory:");
    const data = loadFixtures(defaultFixturesDir());
    for (const table of TABLE_NAMES) {
      const columns = Object.keys(TABLES[table].columns);
      const insert = db.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      for (const row of data[table]) insert.run(...columns.map((c) => row[c] ?? null));
    }
    const local = createOfflineStore(db);

    it.each<[string[], { ok: boolean; code?: string }]>([
      [[], { ok: true }],
      [["1010"], { ok: true }],
      [["1040"], { ok: false, code: "ProductsNotAvailableOffline" }],
      [["1010", "1060"], { ok: false, code: "LocalLogonFailed" }],
      [["1070"], { ok: false, code: "ChannelConfigurationNotFound" }],
      [["1090"], { ok: false, code: "TerminalNotFound" }],
    ])("excluding %j → %j, even with an older copy of the data there", (jobs, expected) => {
      const ready = offlineReadiness(local, "SEA01-R1", "SEA01", jobs as never);
      expect(ready).toMatchObject(expected);
      if (!ready.ok) expect(ready.fix).toContain("pos hq profile set DEFAULT offlineDataExclusion");
    });
  });
});
