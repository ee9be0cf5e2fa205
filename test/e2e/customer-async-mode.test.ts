// End-to-end: the store's "customer creation in async mode" set at HQ, distributed by 1070, used by an online sale.
import { describe, expect, it } from "vitest";
import { serverSales } from "../helpers/money.js";
import { useProvisionedHome } from "../helpers/provisioned-home.js";

const { home, pos, json } = useProvisionedHome("pos-async-mode-e2e-");

describe("customer creation in async mode (a store setting)", () => {
  it("off (the default): an online customer new is created at HQ at once", async () => {
    const r = await pos(
      ["--json", "sale", "--staff", "000160", "--password", "1234"],
      "customer new Bo Lind\n1001\npay card\n",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/customer added: Bo Lind \(\d{6}\)\n/);
  });

  it("pos hq store set turns it on; 1070 carries it to the register", async () => {
    expect(await json(["hq", "store", "set", "SEA01", "--customer-async-mode", "on"])).toMatchObject({
      store: { id: "SEA01", customerAsyncMode: true, offlineCustomerCreation: true },
    });
    expect((await pos(["cdx", "run", "1070"])).code).toBe(0);
    expect(await json(["sync", "pull"])).toMatchObject({ failed: 0 });
  });

  it("on: even online, a new customer gets a temporary id and Pending sync, and follows the async path", async () => {
    const r = await pos(
      ["--json", "sale", "--staff", "000160", "--password", "1234"],
      "customer new Ada Park\n1001\npay card\n",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("customer added: Ada Park (TMP-SEA01-R1-0001) — Pending sync");
    const doc = JSON.parse(r.stdout) as {
      mode: string;
      receipts: Array<{ id: string; customer: string; status: string }>;
    };
    expect(doc.mode).toBe("online");
    expect(doc.receipts).toMatchObject([{ customer: "TMP-SEA01-R1-0001", status: "stored" }]);
    expect(serverSales(home, "SEA01").find((s) => s.id === doc.receipts[0]?.id)?.wire.customer).toBe(
      "TMP-SEA01-R1-0001",
    );
    expect(await json(["sync", "push"])).toMatchObject({ customers: 1 });
    expect((await json(["hq", "customer", "async"])).customers).toMatchObject([
      { tempId: "TMP-SEA01-R1-0001", status: "Pending" },
    ]);
  });

  it.each([
    [["hq", "store", "set", "SEA01"], "store set: nothing to change"],
    [
      ["hq", "store", "set", "SEA01", "--customer-async-mode", "maybe"],
      '--customer-async-mode: expected on or off, got "maybe"',
    ],
    [["hq", "store", "set", "NOPE1", "--customer-async-mode", "off"], "no store NOPE1"],
  ])("%j is bad input: exit 2, one line", async (args, message) => {
    const r = await pos(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
