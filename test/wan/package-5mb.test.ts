// scenarios/wan/package-5mb-256kbps.yaml through the real CLI: a ~5 MB full 1040 package over 256 KB/s, broken twice
// and resumed. About a minute (a 210,000-product HQ, then ~20 s of throttled download), so it runs with
// `npm run test:wan`, not in `npm test` (which runs scenarios/package-resume.yaml, the same path at a small size).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WAN_PRODUCTS } from "../../bench/wan.bench.js";
import { generateFixtures } from "../../fixtures/generate.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { startServer, type TestServer } from "../helpers/server.js";

const SCENARIO = "scenarios/wan/package-5mb-256kbps.yaml";

describe(SCENARIO, () => {
  const t = tempHome("pos-wan-");
  let server: TestServer | undefined;

  beforeAll(async () => {
    await generateFixtures({ products: WAN_PRODUCTS, seed: 1, out: join(t.home, "catalog") });
    server = await startServer(t.home, ["--fixtures", join(t.home, "catalog")], 240_000);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    t.remove();
  });

  it("resumes the broken download twice, applies the package once, in about size / bandwidth", async () => {
    if (!server) throw new Error("no server");
    const out = join(t.home, "wan.json");
    const r = await runPos(["replay", SCENARIO, "--server", server.url, "--report", "json", "--out", out], {
      home: t.home,
      timeoutMs: 240_000,
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8")) as {
      steps: Array<{
        name?: string;
        elapsedMs: number;
        actual: Record<string, unknown>;
        figures?: Record<string, number>;
      }>;
      summary: { ok: boolean };
    };
    expect(report.summary.ok).toBe(true);
    const pull = report.steps.find((s) => s.name?.startsWith("download"));
    expect(pull?.actual).toMatchObject({ result: "ok", applied: 1, resumed: 2 });

    const sessions = await runPos(["--json", "cdx", "sessions", "--db", "SEA01-R1-OFFLINE"], { home: t.home });
    const list = (
      JSON.parse(sessions.stdout) as { sessions: Array<{ job: string; full: boolean; size: number; status: string }> }
    ).sessions.filter((s) => s.job === "1040" && s.full);
    const pulled = list.at(-1);
    expect(pulled?.status).toBe("Applied");
    expect(pulled?.size).toBeGreaterThan(5 * 1024 * 1024 * 0.95);
    // A figure, not an assertion: how the resumed download compares with size / bandwidth.
    expect(pull?.figures?.downloadBytes).toBe(pulled?.size);
    const ideal = (pulled?.size ?? 0) / (256 * 1024);
    const seconds = (pull?.figures?.downloadMs ?? 0) / 1000;
    console.log(
      `wan: ${((pulled?.size ?? 0) / 1024 / 1024).toFixed(2)} MiB package; download ${seconds.toFixed(2)} s (with apply ${((pull?.elapsedMs ?? 0) / 1000).toFixed(2)} s); size/bandwidth ${ideal.toFixed(2)} s; ratio ${(seconds / ideal).toFixed(2)}`,
    );
  }, 300_000);
});
