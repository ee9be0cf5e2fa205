// End-to-end: `pos hq …` against a real server in the same home; change versions and tombstones in hq.db.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-hq-e2e-");
let server: TestServer;

const hq = (args: string[], env: NodeJS.ProcessEnv = {}) => runPos(["hq", ...args], { home: home.home, env });
const json = async (args: string[]) => {
  const r = await hq(["--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  server = await startServer(home.home);
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos hq", () => {
  it("sets a price and the product's change version grows; the channel database is not touched", async () => {
    const before = await json(["product", "show", "1001"]);
    const set = await hq(["price", "set", "1001", "SEA01", "12.49"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/12\.49 USD/);
    const after = await json(["product", "show", "1001"]);
    expect(after.changeVersion).toBeGreaterThan(before.changeVersion);
    expect(after.prices).toContainEqual(expect.objectContaining({ store: "SEA01", amount: 12.49 }));
    // Master data reaches channel databases only through packages (pos cdx run), never directly.
    const device = await call(server.url, "POST", "/v1/devices/activate", {
      token: server.adminToken,
      body: { register: "SEA01-R1" },
    });
    const product = await call(server.url, "GET", "/v1/products/1001", { token: device.body.token });
    expect(product.body.price).toBe(9.99);
  });

  it.each([
    [["price", "set", "1001", "SEA01", "12.999"], 2, /12\.999.*USD/],
    [["price", "set", "1001", "TYO01", "1480.5"], 2, /JPY/],
    [["price", "set", "1001", "SEA01", "abc"], 2, /amount/],
    [["price", "set", "NOSUCH", "SEA01", "1.00"], 2, /NOSUCH/],
    [["price", "set", "1001", "NOSTORE", "1.00"], 2, /NOSTORE/],
    [["staff", "add", "000999", "--name", "X", "--role", "boss", "--password", "p", "--store", "SEA01"], 2, /role/],
    [["profile", "set", "DEFAULT", "nosuchField", "1"], 2, /nosuchField/],
    [["profile", "set", "DEFAULT", "pauseOfflineSync", "maybe"], 2, /true or false/],
    [["customer", "add", "004001", "--name", "Dup"], 1, /already exists/],
  ])("%j exits %i with one line", async (args, code, pattern) => {
    const r = await hq(args);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it("adds, changes and deletes a product; the delete leaves tombstones", async () => {
    const added = await json([
      "product",
      "add",
      "9001",
      "--name",
      "Tea towel",
      "--tax-group",
      "standard",
      "--barcode",
      "4006381333948",
      "--price",
      "SEA01=6.50",
      "--price",
      "TYO01=900",
    ]);
    expect(added).toMatchObject({ id: "9001", name: "Tea towel", barcodes: [{ barcode: "4006381333948" }] });
    expect(added.prices).toHaveLength(2);
    const changed = await json(["product", "set", "9001", "--name", "Linen tea towel"]);
    expect(changed.name).toBe("Linen tea towel");
    expect(changed.rowVersion).toBeGreaterThan(added.rowVersion);
    const deleted = await json(["product", "delete", "9001"]);
    expect(deleted.tombstones).toEqual({ products: 1, barcodes: 1, prices: 2 });
    const show = await hq(["product", "show", "9001"]);
    // An id the server does not know is bad input (404 → exit 2), as in every command.
    expect(show.code).toBe(2);
    const db = new Database(join(home.home, "server", "hq.db"), { readonly: true });
    try {
      const tombstones = db
        .prepare(
          "SELECT table_name, key_json, change_version FROM tombstones WHERE change_version = ? ORDER BY table_name, key_json",
        )
        .all(deleted.changeVersion);
      expect(tombstones).toEqual([
        { table_name: "barcodes", key_json: '{"barcode":"4006381333948"}', change_version: deleted.changeVersion },
        {
          table_name: "prices",
          key_json: '{"store_id":"SEA01","product_id":"9001"}',
          change_version: deleted.changeVersion,
        },
        {
          table_name: "prices",
          key_json: '{"store_id":"TYO01","product_id":"9001"}',
          change_version: deleted.changeVersion,
        },
        { table_name: "products", key_json: '{"id":"9001"}', change_version: deleted.changeVersion },
      ]);
    } finally {
      db.close();
    }
  });

  it("adds a customer and staff, unblocks staff, sets profile fields and a register", async () => {
    const customer = await json(["customer", "add", "004100", "--name", "Ada Park", "--email", "ada@example.com"]);
    expect(customer.customer).toMatchObject({ id: "004100", email: "ada@example.com", accountAllowed: false });
    const staff = await json([
      "staff",
      "add",
      "000180",
      "--name",
      "Kai Moss",
      "--role",
      "cashier",
      "--password",
      "1234",
      "--store",
      "SEA01",
    ]);
    expect(staff.staff).toMatchObject({ id: "000180", stores: ["SEA01"] });
    expect(staff.staff.permissions).toContain("sale");
    expect(staff.changeVersion).toBeGreaterThan(customer.changeVersion);
    expect(await json(["staff", "unblock", "000180"])).toMatchObject({ staff: "000180", wasBlocked: false });
    const profile = await json(["profile", "set", "DEFAULT", "timeoutInterval", "2"]);
    expect(profile.profile).toMatchObject({ id: "DEFAULT", timeoutInterval: 2 });
    const paused = await json(["profile", "set", "DEFAULT", "pauseOfflineSync", "true"]);
    expect(paused.profile.pauseOfflineSync).toBe(true);
    expect(paused.changeVersion).toBeGreaterThan(profile.changeVersion);
    const register = await json(["register", "set", "SEA01-R2", "--supports-offline", "true"]);
    expect(register.register).toMatchObject({ id: "SEA01-R2", supportsOffline: true });
  });

  it("uses --server / POS_SERVER and --admin-token / POS_ADMIN_TOKEN", async () => {
    const other = tempHome("pos-hq-other-");
    try {
      const byOption = await runPos(
        ["--json", "hq", "product", "show", "1002", "--server", server.url, "--admin-token", server.adminToken],
        { home: other.home },
      );
      expect(byOption.code, byOption.stderr).toBe(0);
      const byEnv = await runPos(["hq", "product", "show", "1002"], {
        home: other.home,
        env: { POS_SERVER: server.url, POS_ADMIN_TOKEN: server.adminToken },
      });
      expect(byEnv.code, byEnv.stderr).toBe(0);
      const badToken = await runPos(["hq", "product", "show", "1002", "--server", server.url, "--admin-token", "x"], {
        home: other.home,
      });
      expect(badToken.code).toBe(1);
      expect(badToken.stderr).toMatch(/Unauthorized/);
      const noServer = await runPos(["hq", "product", "show", "1002"], { home: other.home });
      expect(noServer.code).toBe(3);
      expect(noServer.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      other.remove();
    }
  });

  it("exits 3 with one line when the server is unreachable", async () => {
    const r = await hq(["product", "show", "1001", "--server", "http://127.0.0.1:1"]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/unreachable/);
  });

  it.each([
    ["price", "set"],
    ["product", "add"],
    ["profile", "set"],
    ["register", "set"],
  ])("pos hq %s %s --help shows an example", async (...args) => {
    const r = await hq([...args, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example:\n\s+pos /);
  });
});
