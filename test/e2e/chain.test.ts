// End-to-end: a generated chain served by `pos server start --fixtures`, grown with `pos hq store/register add`,
// provisioned, sold on, and listed with `pos hq transactions`.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFixtures } from "../../fixtures/generate.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-chain-e2e-");
let server: TestServer;
const pos = (args: string[], input?: string) =>
  runPos(args, { home: home.home, ...(input === undefined ? {} : { input }) });
const json = async (args: string[]) => {
  const r = await pos(["--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  const fixtures = join(home.home, "chain");
  await generateFixtures({ products: 40, seed: 1, out: fixtures, stores: 3, registersPerStore: 2, staffPerStore: 2 });
  server = await startServer(home.home, ["--fixtures", fixtures]);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("a chain on one server", () => {
  it("serves the generated chain: every store's registers provision and sync", async () => {
    const databases = await json(["cdx", "databases"]);
    const names = (databases.databases ?? databases).map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(["ST01", "ST02", "ST03", "ST01-R01-OFFLINE", "ST03-R02-OFFLINE"]));
    const provisioned = await pos(["register", "provision", "ST02-R02", "--sync"]);
    expect(provisioned.code, provisioned.stderr).toBe(0);
  });

  it("grows at runtime: pos hq store add --like, pos hq register add, then provision the new register", async () => {
    const store = await json(["hq", "store", "add", "ST04", "--name", "Store 04", "--like", "ST01"]);
    expect(store).toMatchObject({ store: { id: "ST04", currency: "USD" }, copied: { prices: 40 }, sessions: 5 });
    const register = await json(["hq", "register", "add", "ST04-R01"]);
    expect(register).toMatchObject({
      register: { id: "ST04-R01", store: "ST04" },
      offlineDatabase: "ST04-R01-OFFLINE",
    });
    const provisioned = await pos(["register", "provision", "ST04-R01", "--sync"]);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const again = await pos(["hq", "register", "add", "ST04-R01"]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toMatch(/already exists/);
    const bad = await pos(["hq", "store", "add", "ST-5", "--name", "x", "--currency", "USD"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/id/);
  });

  it("lists what the server holds with pos hq transactions, filtered and as JSON", async () => {
    const provisioned = await pos(["register", "provision", "ST01-R01"]);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const sale = ["sale", "--register", "ST01-R01", "--staff", "001002", "--password", "1234"];
    const sold = await pos(sale, "1001\npay card\n1001\npay card\n1001\npay card\nquit\n");
    expect(sold.code, sold.stderr).toBe(0);
    const all = await json(["hq", "transactions"]);
    expect(all.count).toBe(3);
    expect(all.transactions.map((t: { id: string }) => t.id)).toEqual([
      "ST01-R01-000001",
      "ST01-R01-000002",
      "ST01-R01-000003",
    ]);
    expect(all.transactions[0]).toMatchObject({ store: "ST01", register: "ST01-R01", staff: "001002", total: 11.02 });
    expect((await json(["hq", "transactions", "--store", "ST02"])).count).toBe(0);
    const limited = await json(["hq", "transactions", "--register", "ST01-R01", "--limit", "2"]);
    expect(limited).toMatchObject({ count: 3 });
    expect(limited.transactions).toHaveLength(2);
    const human = await pos(["hq", "transactions", "--since", "2000-01-01"]);
    expect(human.stdout).toMatch(/ST01-R01-000003 {2}ST01-R01 {2}001002 {2}11\.02 USD/);
    expect(human.stdout).toMatch(/^3 transactions$/m);
    const bad = await pos(["hq", "transactions", "--since", "yesterday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);
  });
});
