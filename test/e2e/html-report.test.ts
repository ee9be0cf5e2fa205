// End-to-end: the HTML reports of `pos replay` and `pos load` in a real headless Chromium (Debian's, driven by
// playwright-core): no console errors, no network, and the timeline and histograms are drawn.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-html-e2e-");
let browser: Browser;
let server: TestServer | undefined;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  home.remove();
});

/** Opens a report file; collects console errors, page errors and every request that is not the file itself. */
async function open(file: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.route("**/*", (route) => {
    const target = route.request().url();
    if (target === url) return route.continue();
    requests.push(target);
    return route.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, problems, requests };
}

describe("HTML reports in a headless browser", () => {
  it("pos replay: a failover scenario shows the offline stretch, the fault, histograms and every step", async () => {
    const out = join(home.home, "replay.html");
    const r = await runPos(["replay", "scenarios/blackhole-mid-sale.yaml", "--report", "html", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const { page, problems, requests } = await open(out);
    expect(await page.title()).toBe("pos replay — blackhole mid-sale");
    expect(await page.locator("#verdict").textContent()).toMatch(/all \d+ checks passed/);
    const timeline = page.locator("#timeline svg.timeline");
    await expect.poll(() => timeline.isVisible()).toBe(true);
    expect(await timeline.locator("rect.mode-online").count()).toBeGreaterThan(0);
    expect(await timeline.locator("rect.mode-offline-auto").count()).toBeGreaterThan(0);
    expect(await timeline.locator("path.marker-fault").count()).toBeGreaterThan(0);
    const box = await timeline.boundingBox();
    expect(box?.width).toBeGreaterThan(500);
    const histograms = page.locator("#histograms figure.histogram");
    expect(await histograms.count()).toBeGreaterThan(1);
    expect(await histograms.first().locator("rect.bar").count()).toBeGreaterThan(0);
    expect(await page.locator("#steps tbody tr").count()).toBe(10);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("pos load: the verdict, the latency histograms per request kind and the timeline", async () => {
    server = await startServer(home.home);
    const out = join(home.home, "load.html");
    const r = await runPos(
      ["load", "--registers", "2", "--duration", "1s", "--think", "50ms", "--report", "html", "--out", out],
      { home: home.home },
    );
    expect(r.code, r.stderr).toBe(0);
    const { page, problems, requests } = await open(out);
    expect(await page.locator("#verdict").textContent()).toBe("verified: none lost, none duplicated, none extra");
    expect(await page.locator("#timeline svg.timeline rect.mode-online").count()).toBe(1);
    const captions = await page.locator("#histograms figcaption").allTextContents();
    expect(captions.map((c) => c.split(" ")[0])).toEqual(["activate", "config", "signin", "lookup", "checkout"]);
    expect(await page.locator("#kinds tbody tr").count()).toBe(5);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
