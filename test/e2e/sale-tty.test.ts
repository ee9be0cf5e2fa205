// End-to-end: the real interactive `pos sale` in a pseudo-terminal (tmux), typed into as a cashier would.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POS_BIN, runPos, tempHome } from "../helpers/cli.js";
import { startProxy } from "../helpers/proxy.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { startServer, type TestServer } from "../helpers/server.js";

const run = promisify(execFile);
// Own tmux server (socket), so the test never touches a user's sessions and its environment is ours.
const SOCKET = `pos-sale-tty-${process.pid}`;
const SESSION = "sale";

const tmux = (...args: string[]) => run("tmux", ["-L", SOCKET, ...args]);
const screen = async () => (await tmux("capture-pane", "-p", "-t", SESSION)).stdout;
const type = async (text: string) => {
  await tmux("send-keys", "-t", SESSION, "-l", text);
  await tmux("send-keys", "-t", SESSION, "Enter");
};
const press = (key: string) => tmux("send-keys", "-t", SESSION, key);

// Each wait is for a marker on the screen; the deadline is only a backstop against a hung process, set far
// above what a loaded machine needs (a 15 s one ran out once in a full run).
async function waitForScreen(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never showed ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first two lines of the screen: the status header. */
const headerOf = (text: string) => text.split("\n").slice(0, 2).join("\n");

const home = tempHome("pos-sale-tty-e2e-");
let server: TestServer;

beforeAll(async () => {
  server = await startServer(home.home);
  await provisionTestRegister(home.home, server.url, "SEA01-R1");
}, 120_000);

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos sale on a terminal", () => {
  it("types items, presses 917 and pays from the menu; the header turns ONLINE → OFFLINE (manual)", async () => {
    const command = [
      "env -u CI -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color",
      `"${process.execPath}" "${POS_BIN}" --home "${home.home}"`,
      "sale --register SEA01-R1 --staff 000160 --password 1234;",
      "echo EXIT=$?; sleep 600",
    ].join(" ");
    await tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command);
    try {
      const start = await waitForScreen(/Item, barcode or command/);
      expect(headerOf(start)).toContain("register SEA01-R1 │ store Seattle (SEA01) │ staff Alex Kim (000160)");
      expect(headerOf(start)).toMatch(/ONLINE │ pending uploads 0 │ last sync never │ 917: Disconnect/);

      await type("2 x 1001");
      await waitForScreen(/\+ line 1: 2 × 1001/);
      await type("4006381333931");
      const online = await waitForScreen(/\+ line 2: 1 × 1002/);
      expect(online).toMatch(/total\s+31\.96 USD/);
      expect(headerOf(online)).toContain("ONLINE");

      await type("917");
      const offline = await waitForScreen(/operation 917: disconnected/);
      expect(headerOf(offline)).toMatch(/OFFLINE \(manual\) │ pending uploads 0 .*917: Connect/);
      expect(headerOf(offline)).not.toContain("ONLINE");
      // The cart survived the switch.
      expect(offline).toMatch(/1\s+1001\s+Ceramic coffee mug, 12 oz\s+2\s+9\.99\s+19\.98/);

      await type("pay");
      const menu = await waitForScreen(/Pay 31\.96 USD with/);
      expect(menu).toContain("Gift card not available offline (operation 214)");
      await press("Enter"); // the first tender valid offline: Card
      await waitForScreen(/Amount: \(31\.96\)/);
      await press("Enter"); // the default: what is still due
      const paid = await waitForScreen(/stored offline — pending upload/);
      expect(paid).toMatch(/Receipt SEA01-R1-\d+/);
      expect(headerOf(paid)).toMatch(/OFFLINE \(manual\) │ pending uploads 1/);

      await type("quit");
      await waitForScreen(/EXIT=0/);
    } finally {
      await tmux("kill-server").catch(() => {});
    }

    const status = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: home.home });
    expect(JSON.parse(status.stdout)).toMatchObject({
      mode: "offline-manual",
      button: "Connect",
      pending: { count: 1 },
    });
  }, 180_000);

  it("keys typed while the server is slow (spinner) are kept: the next item is read once the answer is in", async () => {
    const proxy = startProxy(home.home, server.url);
    try {
      const { url } = await proxy.ready;
      expect((await runPos(["register", "set", "SEA01-R1", "--server", url], { home: home.home })).code).toBe(0);
      // The first test left the register offline by 917.
      expect((await runPos(["connect", "--register", "SEA01-R1"], { home: home.home })).code).toBe(0);
      const command = [
        "env -u CI -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color",
        `"${process.execPath}" "${POS_BIN}" --home "${home.home}"`,
        "sale --register SEA01-R1 --staff 000160 --password 1234;",
        "echo EXIT=$?; sleep 600",
      ].join(" ");
      await tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command);
      try {
        await waitForScreen(/Item, barcode or command/);
        // Every answer from now on takes 1.5 s (the profile's timeout is 5 s: the register stays online).
        expect(
          (await runPos(["proxy", "set", "latency", "1500", "--direction", "down"], { home: home.home })).code,
        ).toBe(0);
        await type("1001");
        // The spinner shows for ~1.35 s of the 1.5 s wait; a screen poll slowed by load past that window sees the
        // line instead (the keys below are then typed after the answer, which must work as well).
        await waitForScreen(/waiting for the server|\+ line 1: 1 × 1001/);
        // Typed ahead while the spinner spins, as a cashier scanning the next item does.
        await type("1002");
        const both = await waitForScreen(/\+ line 2: 1 × 1002/);
        // The screen is redrawn per step: the cart shows both lines.
        expect(both).toMatch(/1\s+1001\s+Ceramic coffee mug, 12 oz\s+1\s+9\.99\s+9\.99/);
        expect(both).toMatch(/2\s+1002\s+Highlighter pens, 4 colours\s+1\s+8\.98\s+8\.98/);
        expect(headerOf(both)).toContain("ONLINE");
        expect((await runPos(["proxy", "set", "none"], { home: home.home })).code).toBe(0);
        await type("void 1");
        await waitForScreen(/line 1 voided/);
        await type("void 2");
        await waitForScreen(/line 2 voided \(total 0\.00\)/);
        await type("quit");
        await waitForScreen(/cancel the sale and quit\?/);
        await type("y");
        await waitForScreen(/EXIT=0/);
      } finally {
        await tmux("kill-server").catch(() => {});
      }
    } finally {
      proxy.child.kill();
      await runPos(["register", "set", "SEA01-R1", "--server", server.url], { home: home.home });
    }
  }, 180_000);
});
