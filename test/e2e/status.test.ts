// End-to-end: `pos status`, `pos disconnect`, `pos connect` (operation 917 from the shell) against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-status-e2e-");
let server: TestServer;
const R = ["--register", "SEA01-R1"];

const pos = (args: string[]) => runPos(args, { home: home.home });
const json = async (args: string[]) => {
  const result = await pos(["--json", ...args]);
  return { ...result, doc: result.stdout ? (JSON.parse(result.stdout) as Record<string, unknown>) : null };
};

beforeAll(async () => {
  server = await startServer(home.home);
  await provisionTestRegister(home.home, server.url, "SEA01-R1");
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos status / disconnect / connect", () => {
  it("shows an online register, a reachable server and a healthy offline database", async () => {
    const { code, doc, stderr } = await json(["status", ...R]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(doc).toMatchObject({
      register: "SEA01-R1",
      store: "SEA01",
      storeName: "Seattle",
      serverUrl: server.url,
      mode: "online",
      button: "Disconnect",
      server: { reachable: true, outcome: "ok", status: 200 },
      lastDownload: null,
      lastUpload: null,
      pending: { count: 0, oldest: null },
      conflicts: 0,
      jobs: [],
      database: { exists: true, integrity: "ok" },
    });
    expect((doc as { database: { sizeBytes: number } }).database.sizeBytes).toBeGreaterThan(0);

    const human = await pos(["status", ...R]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Connection status — register SEA01-R1, store Seattle (SEA01)");
    expect(human.stdout).toMatch(/mode\s+ONLINE since/);
    expect(human.stdout).toMatch(/917 button\s+Disconnect/);
  });

  it("refuses 917 Disconnect before sign-in (profile default), and the fix it names makes it work", async () => {
    const refused = await pos(["disconnect", ...R]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain(
      "ManualOfflineBeforeSignInNotAllowed: switching to offline before sign-in is not allowed by offline profile DEFAULT",
    );
    expect(refused.stderr).toContain("pos hq profile set DEFAULT allowManualOfflineBeforeSignIn true");
    expect((await json(["status", ...R])).doc).toMatchObject({ mode: "online" });

    for (const args of [
      ["hq", "profile", "set", "DEFAULT", "allowManualOfflineBeforeSignIn", "true"],
      ["cdx", "run", "1090"],
      ["sync", "pull", ...R],
    ]) {
      const r = await pos(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  });

  it("disconnects (operation 917) once, says so the second time, and status shows offline-manual / Connect", async () => {
    const first = await json(["disconnect", ...R]);
    expect(first.code).toBe(0);
    expect(first.doc).toMatchObject({ register: "SEA01-R1", changed: true, mode: "offline-manual", button: "Connect" });

    const again = await pos(["disconnect", ...R]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already offline \(manual\) since .* nothing to do/);

    const status = await json(["status", ...R]);
    expect(status.code).toBe(0);
    expect(status.doc).toMatchObject({
      mode: "offline-manual",
      button: "Connect",
      reason: "operation 917 (Disconnect)",
      server: { reachable: true },
    });
  });

  it("connects again while the server answers", async () => {
    const connected = await json(["connect", ...R]);
    expect(connected.code).toBe(0);
    expect(connected.doc).toMatchObject({ changed: true, mode: "online", button: "Disconnect" });
    const again = await pos(["connect", ...R]);
    expect(again.stdout).toContain("already online — nothing to do");
  });

  it("pos sale --offline signs in offline when the profile allows it (the sign-in screen's switch)", async () => {
    const r = await runPos(["--json", "sale", ...R, "--staff", "000160", "--password", "1234", "--offline"], {
      home: home.home,
      input: "1001\npay card\nquit\n",
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { mode: string; receipts: Array<{ status: string }> };
    expect(doc.mode).toBe("offline-manual");
    expect(doc.receipts).toMatchObject([{ status: "pending" }]);
    expect((await pos(["connect", ...R])).code).toBe(0);
  });

  it("refuses to connect with exit 3 and one line when the server is gone; status still answers", async () => {
    expect((await pos(["disconnect", ...R])).code).toBe(0);
    await server.stop();
    const refused = await pos(["connect", ...R]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe("");
    const lines = refused.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot connect: server refused the connection/);

    const status = await json(["status", ...R]);
    expect(status.code).toBe(0);
    expect(status.doc).toMatchObject({
      mode: "offline-manual",
      button: "Connect",
      server: { reachable: false, outcome: "server refused the connection", status: null },
    });
  });

  it("names a register that is not provisioned (exit 2)", async () => {
    const result = await pos(["status", "--register", "NOPE-R9"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/register NOPE-R9 is not provisioned/);
  });
});
