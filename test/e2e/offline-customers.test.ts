// End-to-end: operation 612 offline — `customer new` in an offline sale, push, HQ's async job, 1010, real id.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useProvisionedHome } from "../helpers/provisioned-home.js";

const { home, pos, json } = useProvisionedHome("pos-612-e2e-");

const localCustomerOf = (transaction: string) => {
  const db = new Database(join(home, "registers", "SEA01-R1", "offline.db"), { readonly: true });
  try {
    return (db.prepare("SELECT customer_id FROM transactions WHERE id = ?").get(transaction) as { customer_id: string })
      .customer_id;
  } finally {
    db.close();
  }
};

describe("operation 612 offline (Pending sync)", () => {
  let transaction = "";

  it("customer new in an offline sale gets a temporary id shown as Pending sync", async () => {
    const r = await pos(
      ["--json", "sale", "--staff", "000160", "--password", "1234"],
      "917\ncustomer new Ada Park --email ada@example.com\n1001\npay card\n917\nquit\n",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("customer added: Ada Park (TMP-SEA01-R1-0001) — Pending sync");
    const doc = JSON.parse(r.stdout) as { receipts: Array<{ id: string; customer: string; status: string }> };
    expect(doc.receipts).toMatchObject([{ customer: "TMP-SEA01-R1-0001", status: "pending" }]);
    transaction = doc.receipts[0]?.id ?? "";
  });

  it("push uploads it; HQ lists it Pending until its job creates the real customer", async () => {
    expect(await json(["sync", "push"])).toMatchObject({ uploaded: 1, customers: 1 });
    expect((await json(["hq", "customer", "async"])).customers).toMatchObject([
      { tempId: "TMP-SEA01-R1-0001", register: "SEA01-R1", status: "Pending", customerId: null },
    ]);
    expect(await json(["hq", "customer", "sync-async"])).toMatchObject({
      created: [{ tempId: "TMP-SEA01-R1-0001", customerId: "004031" }],
    });
    expect(localCustomerOf(transaction)).toBe("TMP-SEA01-R1-0001");
  });

  it("1010 brings the real customer; the pull points the register's sale to it", async () => {
    expect((await pos(["cdx", "run", "1010"])).code).toBe(0);
    const pulled = await json(["sync", "pull"]);
    expect(pulled).toMatchObject({ failed: 0, customersResolved: 1 });
    expect(localCustomerOf(transaction)).toBe("004031");
    const r = await pos(
      ["--json", "sale", "--staff", "000160", "--password", "1234"],
      "917\ncustomer Ada Park\n1001\npay card\nquit\n",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("customer: Ada Park (004031)");
    expect(r.stderr).not.toContain("Pending sync");
  });

  it("a malformed customer new is one failed command, the sale goes on", async () => {
    const r = await pos(
      ["--json", "sale", "--staff", "000160", "--password", "1234"],
      "customer new\n1001\npay card\n",
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("usage: customer new <name> [--email <address>] [--phone <number>]");
    expect(JSON.parse(r.stdout).receipts).toHaveLength(1);
  });
});
