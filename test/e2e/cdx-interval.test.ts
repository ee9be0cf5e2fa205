// End-to-end: with --channel-download-interval the server applies its channel sessions on its own schedule.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome } from "../helpers/cli.js";
import { call, startServer, type TestServer } from "../helpers/server.js";
import { cdxCli, sessionOf } from "./cdx-helpers.js";

const home = tempHome("pos-cdx-interval-e2e-");
const { pos, run, session } = cdxCli(home.home);
let server: TestServer;

beforeAll(async () => {
  server = await startServer(home.home, ["--channel-download-interval", "1"]);
});
afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos server start --channel-download-interval", () => {
  it("leaves a channel session Available after the run and applies it within the interval", async () => {
    const activated = await call(server.url, "POST", "/v1/devices/activate", {
      token: server.adminToken,
      body: { register: "SEA01-R2" },
    });
    const token = activated.body.token as string;
    expect((await pos(["hq", "price", "set", "1001", "SEA01", "12.49"])).code).toBe(0);
    const made = sessionOf(await run("1040", "--db", "SEA01"), "SEA01");
    expect(made.status).toBe("Available");
    // Waits for the state the server reaches on its 1 s schedule; the deadline only guards against a hang.
    const deadline = Date.now() + 60_000;
    let status = made.status as string;
    while (status !== "Applied" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await session(made.id)).status;
    }
    expect(status).toBe("Applied");
    const product = await call(server.url, "GET", "/v1/products/1001", { token });
    expect(product.body.price).toBe(12.49);
  }, 90_000);

  it("rejects a bad interval with exit 2", async () => {
    const other = tempHome("pos-cdx-interval-bad-");
    try {
      const r = await cdxCli(other.home).pos(["server", "start", "--port", "0", "--channel-download-interval", "x"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--channel-download-interval/);
    } finally {
      other.remove();
    }
  });
});
