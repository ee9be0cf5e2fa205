// A store's slow WAN link: scenarios/wan/package-5mb-256kbps.yaml against an HQ with a large catalog; the resumed
// download's time is compared with size / bandwidth (target: within 20%).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFixtures } from "../fixtures/generate.js";
import { sessionsAnswerSchema } from "../src/lib/api-sync.js";
import { systemClock } from "../src/lib/clock.js";
import { loadFixtures } from "../src/lib/fixtures.js";
import { createHttpClient } from "../src/lib/http.js";
import { createPaths } from "../src/lib/paths.js";
import { loadReplayFile } from "../src/replay/load.js";
import { runReplay } from "../src/replay/runner.js";
import { startServer } from "../src/server/start.js";
import { figure, ratio } from "./lib.js";

/** Enough products for a full 1040 package of about 5 MB. */
export const WAN_PRODUCTS = 210_000;
const SCENARIO = "scenarios/wan/package-5mb-256kbps.yaml";
const KBPS = 256;

export default async function wanBench(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "pos-bench-wan-"));
  try {
    await generateFixtures({ products: WAN_PRODUCTS, seed: 1, out: join(home, "catalog") });
    const paths = createPaths(home);
    const server = await startServer({
      dataDir: paths.serverDir,
      serverDir: paths.serverDir,
      host: "127.0.0.1",
      port: 0,
      clock: systemClock,
      version: "bench",
      fixtures: () => loadFixtures(join(home, "catalog")),
    });
    try {
      const report = await runReplay({
        scenario: loadReplayFile(SCENARIO),
        server: { url: server.url, adminToken: server.adminToken, paths },
      });
      const pull = report.steps.find((s) => s.name?.startsWith("download"));
      const bytes = await packageSize(server.url, server.adminToken);
      const downloadMs = pull?.figures?.downloadMs;
      if (!pull || downloadMs === undefined) throw new Error("the scenario did not report the package download");
      const ideal = bytes / (KBPS * 1024);
      figure("package size", bytes / 1024 / 1024, "MiB", `${WAN_PRODUCTS.toLocaleString("en-US")} products`);
      figure("size / bandwidth (256 KB/s)", ideal, "s");
      figure("download, broken twice and resumed", downloadMs / 1000, "s");
      figure("download + apply (the sync pull step)", pull.elapsedMs / 1000, "s");
      ratio("download time / (size / bandwidth)", downloadMs / 1000 / ideal, 1.2, false);
      const failed = report.steps.filter((s) => s.result === "fail");
      if (failed.length > 0) throw new Error(`${SCENARIO}: ${failed.map((s) => s.message).join("; ")}`);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The size of the newest full 1040 package for the register's offline database (what the scenario pulled). */
async function packageSize(url: string, token: string): Promise<number> {
  const http = createHttpClient({ baseUrl: url, token, timeoutMs: 10_000 });
  try {
    const r = await http.get("/v1/admin/cdx/sessions?database=SEA01-R1-OFFLINE", sessionsAnswerSchema);
    if (!r.ok) throw new Error(`sessions: server answered ${r.status}`);
    const full = r.body.sessions.filter((s) => s.job === "1040" && s.full).sort((a, b) => b.id - a.id)[0];
    return full?.size ?? 0;
  } finally {
    http.close();
  }
}
