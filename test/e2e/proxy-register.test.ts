// `pos proxy start` + `pos proxy set` against `pos server start`, with the register's status read from another shell.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startProxy } from "../helpers/proxy.js";
import { startServer, type TestServer } from "../helpers/server.js";

describe("fault proxy by hand between a register and the server", () => {
  const t = tempHome("pos-proxy-register-");
  let server: TestServer;
  let proxy: ChildProcess | undefined;
  const pos = (args: string[], input?: string) =>
    runPos(args, { home: t.home, ...(input === undefined ? {} : { input }) });
  const status = async () =>
    JSON.parse((await pos(["--json", "status"])).stdout) as { mode: string; server: { reachable: boolean } };

  beforeAll(async () => {
    server = await startServer(t.home);
    const started = startProxy(t.home, server.url);
    proxy = started.child;
    const { url } = await started.ready;
    const p = await pos(["register", "provision", "SEA01-R1", "--server", url, "--sync"]);
    expect(p.code, p.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    if (proxy && proxy.exitCode === null) proxy.kill("SIGTERM");
    await server?.stop();
    t.remove();
  });

  it("refuse → the register fails over and pos status shows it; none + connect → online again", async () => {
    expect(await status()).toMatchObject({ mode: "online", server: { reachable: true } });
    expect((await pos(["proxy", "set", "refuse"])).code).toBe(0);
    expect(await status()).toMatchObject({ mode: "online", server: { reachable: false } });
    const sale = await pos(["--json", "sale", "--staff", "000160", "--password", "1234"], "1001\npay card\n");
    expect(sale.code, sale.stderr).toBe(0);
    expect(JSON.parse(sale.stdout).receipts[0]).toMatchObject({ status: "pending" });
    expect(await status()).toMatchObject({ mode: "offline-auto", server: { reachable: false } });

    expect((await pos(["proxy", "set", "none"])).code).toBe(0);
    const connected = await pos(["connect"]);
    expect(connected.code, connected.stderr).toBe(0);
    expect(await status()).toMatchObject({ mode: "online", server: { reachable: true } });

    expect((await pos(["proxy", "set", "blackhole"])).code).toBe(0);
    expect(await status()).toMatchObject({ server: { reachable: false } });
    expect((await pos(["proxy", "set", "none"])).code).toBe(0);
    const pushed = await pos(["--json", "sync", "push"]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ uploaded: 1, pendingAfter: 0 });
  });
});
