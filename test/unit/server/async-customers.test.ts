import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { admin } from "./cdx-helpers.js";
import { auth, createHarness, type Harness } from "./harness.js";

let h: Harness;
let r1: string;
beforeEach(async () => {
  h = await createHarness();
  r1 = await h.device("SEA01-R1");
});
afterEach(async () => {
  await h.close();
});

const upload = async (customers: unknown[], token = r1) => {
  const r = await h.app.inject({
    method: "POST",
    url: "/v1/customers/async",
    headers: auth(token),
    payload: { customers },
  });
  return { status: r.statusCode, body: r.json() };
};
const ada = {
  tempId: "TMP-SEA01-R1-0001",
  name: "Ada Park",
  email: "ada@example.com",
  createdAt: "2026-01-01T09:00:00Z",
};

describe("async customers (operation 612 offline)", () => {
  it("stores an upload once: the same again is a no-op, other content under the same id a 409", async () => {
    expect(await upload([ada])).toMatchObject({
      status: 200,
      body: {
        customers: [{ tempId: ada.tempId, register: "SEA01-R1", store: "SEA01", status: "Pending", customerId: null }],
      },
    });
    expect((await upload([ada])).status).toBe(200);
    expect((await admin(h, "GET", "/v1/admin/customers/async")).body.customers).toHaveLength(1);
    const other = await upload([{ ...ada, name: "Someone Else" }]);
    expect(other).toMatchObject({ status: 409, body: { error: { code: "AlreadyExists" } } });
    const tokyo = await h.device("TYO01-R1");
    expect((await upload([ada], tokyo)).status).toBe(409);
  });

  it.each([
    [{ ...ada, tempId: "004001" }, "tempId"],
    [{ ...ada, name: "" }, "name"],
  ])("refuses a malformed customer with 400 naming the field", async (customer, field) => {
    const r = await upload([customer]);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(field);
  });

  it("HQ's job creates each pending customer once, with the next customer number, and only for the admin", async () => {
    await upload([ada, { ...ada, tempId: "TMP-SEA01-R1-0002", name: "Bo Lin", email: null }]);
    const device = await h.app.inject({ method: "POST", url: "/v1/admin/customers/async/sync", headers: auth(r1) });
    expect(device.statusCode).toBe(401);
    const first = await admin(h, "POST", "/v1/admin/customers/async/sync", {});
    expect(first.body.created).toEqual([
      { tempId: "TMP-SEA01-R1-0001", customerId: "004031" },
      { tempId: "TMP-SEA01-R1-0002", customerId: "004032" },
    ]);
    expect((await admin(h, "POST", "/v1/admin/customers/async/sync", {})).body.created).toEqual([]);
    const mine = await h.app.inject({ method: "GET", url: "/v1/customers/async", headers: auth(r1) });
    expect(mine.json().customers.map((c: { status: string; customerId: string }) => [c.status, c.customerId])).toEqual([
      ["Created", "004031"],
      ["Created", "004032"],
    ]);
    const row = h.hqDb.prepare("SELECT name, email FROM customers WHERE id = '004031'").get();
    expect(row).toEqual({ name: "Ada Park", email: "ada@example.com" });
  });
});
