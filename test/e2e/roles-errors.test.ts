// End-to-end: `pos server start --role` mistakes (exit 2, one line) and a store server started while HQ is away.
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

const hqHome = tempHome("pos-roles-err-hq-");
const storeHome = tempHome("pos-roles-err-store-");
let hq: TestServer | undefined;

const start = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runPos(["server", "start", "--port", "0", ...args], { home: storeHome.home, env, timeoutMs: 30_000 });

function expectUsage(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  hq = await startServer(hqHome.home, ["--role", "hq"]);
}, 60_000);

afterAll(async () => {
  await hq?.stop();
  hqHome.remove();
  storeHome.remove();
});

describe("pos server start --role: mistakes", () => {
  it("refuses an unknown role, store options on another role, and a store server without --stores/--hq/token", async () => {
    expectUsage(await start(["--role", "shop"]), /--role: expected all, hq, store, got "shop"/);
    expectUsage(await start(["--role", "hq", "--stores", "SEA01"]), /--stores: only for --role store/);
    expectUsage(await start(["--role", "store", "--hq", "http://127.0.0.1:1"]), /--role store needs --stores/);
    expectUsage(await start(["--role", "store", "--stores", "SEA01"]), /--role store needs --hq/);
    expectUsage(await start(["--role", "store", "--stores", "SEA01", "--hq", "ftp://x"]), /--hq: expected an http/);
    expectUsage(
      await start(["--role", "store", "--stores", "SEA01", "--hq", "http://127.0.0.1:1"], { POS_HQ_TOKEN: "" }),
      /needs HQ's admin token/,
    );
    expectUsage(
      await start(["--role", "store", "--stores", "SEA01", "--hq", "http://127.0.0.1:1", "--hq-token-file", "nope"]),
      /--hq-token-file: cannot read nope/,
    );
    // The store server's catch-up asked of HQ: what the command is for, not a bare 404.
    expectUsage(
      await runPos(["server", "catch-up", "--server", hq?.url ?? "", "--admin-token", hq?.adminToken ?? ""], {
        home: storeHome.home,
      }),
      /NotAStoreServer: the server at .* is not a store server \(pos server start --role store\)/,
    );
  });

  it("refuses a store HQ does not know, and a token HQ refuses (exit 2, one line)", async () => {
    const url = hq?.url ?? "";
    expectUsage(
      await start(["--role", "store", "--stores", "SEA01,NOPE01", "--hq", url], { POS_HQ_TOKEN: hq?.adminToken ?? "" }),
      new RegExp(`store NOPE01 is not defined at HQ ${url}`),
    );
    const bad = join(storeHome.home, "bad-token");
    writeFileSync(bad, "not-the-token\n");
    expectUsage(
      await start(["--role", "store", "--stores", "SEA01", "--hq", url, "--hq-token-file", bad]),
      /HQ .* refused the token/,
    );
  });

  it("starts while HQ does not answer, with one warning line; activation answers 503 until HQ is back", async () => {
    const port = await closedPort();
    const store = await startServer(storeHome.home, [
      "--role",
      "store",
      "--stores",
      "SEA01",
      "--hq",
      `http://127.0.0.1:${port}`,
      "--hq-token-file",
      hq?.adminTokenFile ?? "",
      "--hq-interval",
      "0",
    ]);
    try {
      const round = await call(store.url, "POST", "/v1/admin/store/catch-up", { token: store.adminToken });
      expect(round.status).toBe(200);
      expect(round.body.stores[0].error).toMatch(/refused/);
      // Support's command for the same round: what it did per store, exit 3 while HQ is away, one line why.
      const cli = await runPos(["server", "catch-up"], { home: storeHome.home });
      expect(cli.code).toBe(3);
      expect(cli.stdout).toMatch(/^SEA01: HQ round stopped: .*refused/m);
      const lines = cli.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/HQ round stopped for SEA01: .*refused.* — the store server keeps selling/);
      const warnings = store
        .output()
        .stderr.split("\n")
        .filter((l) => l.includes("HQ"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`HQ at http://127.0.0.1:${port} is not answering`);
      expect(warnings[0]).toMatch(/selling anyway, catching up when HQ is back/);
      // Activation needs HQ: 503 with the reason, never a 500.
      const activate = await call(store.url, "POST", "/v1/devices/activate", {
        token: store.adminToken,
        body: { register: "SEA01-R1" },
      });
      expect(activate.status).toBe(503);
      expect(activate.body.error.code).toBe("ServiceUnavailable");
    } finally {
      await store.stop();
    }
  });
});
