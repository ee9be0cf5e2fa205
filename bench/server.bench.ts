// Retail server throughput: keep-alive product lookups through src/lib/http.ts vs raw node:http, and batch upload.
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, get } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { activateAnswerSchema, productAnswerSchema, uploadAnswerSchema } from "../src/lib/api.js";
import { systemClock } from "../src/lib/clock.js";
import { defaultFixturesDir, loadFixtures } from "../src/lib/fixtures.js";
import { createHttpClient } from "../src/lib/http.js";
import { buildApp } from "../src/server/app.js";
import { CHANNEL_MIGRATIONS } from "../src/server/channel-db.js";
import { openServerData } from "../src/server/data.js";
import { buildSale } from "../test/helpers/server.js";
import { figure, median, ratio, timeMs, timeMsAsync } from "./lib.js";

const LOOKUPS = 6000;
const LOOKUP_ROUNDS = 6;
const UPLOAD_TOTAL = 10_000;
const BATCH = 1000;

function rawGet(agent: Agent, url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => {
        JSON.parse(body);
        resolve();
      });
    }).on("error", reject);
  });
}

function target(label: string, value: number, unit: string, min: number): void {
  figure(label, value, unit, `target ≥ ${min.toLocaleString("en-US")} ${value >= min ? "OK" : "MISSED"}`);
}

export default async function serverBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pos-bench-server-"));
  const { data } = await openServerData({
    dataDir: dir,
    clock: systemClock,
    fixtures: () => loadFixtures(defaultFixturesDir()),
  });
  const app = buildApp({ data, clock: systemClock, adminToken: "bench-admin", version: "bench" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const http = createHttpClient({ baseUrl: url, timeoutMs: 10_000 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const activation = await http.post("/v1/devices/activate", { register: "SEA01-R1" }, activateAnswerSchema, {
      token: "bench-admin",
    });
    if (!activation.ok) throw new Error(`activation answered ${activation.status}`);
    const token = activation.body.token;
    const path = "/v1/products/4006381333931";

    const viaClient = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await http.get(path, productAnswerSchema, { token });
        if (r.status !== 200) throw new Error(`lookup answered ${r.status}`);
      }
    };
    const viaRaw = async (n: number) => {
      for (let i = 0; i < n; i++) await rawGet(agent, url + path, token);
    };
    await viaClient(500);
    await viaRaw(500);
    // Alternating rounds, median of each: the machine's load drifts, and both sides should see the same drift.
    const rawRates: number[] = [];
    const clientRates: number[] = [];
    for (let round = 0; round < LOOKUP_ROUNDS; round++) {
      rawRates.push((LOOKUPS / LOOKUP_ROUNDS / (await timeMsAsync(() => viaRaw(LOOKUPS / LOOKUP_ROUNDS)))) * 1000);
      clientRates.push(
        (LOOKUPS / LOOKUP_ROUNDS / (await timeMsAsync(() => viaClient(LOOKUPS / LOOKUP_ROUNDS)))) * 1000,
      );
    }
    const rawRate = median(rawRates);
    const clientRate = median(clientRates);
    figure("raw node:http get, keep-alive (product lookup)", rawRate, "req/s");
    target("src/lib/http.ts get, keep-alive (product lookup)", clientRate, "req/s", 1000);
    ratio("http.ts / raw node:http", clientRate / rawRate, 0.8, true);

    const sales = Array.from({ length: UPLOAD_TOTAL }, (_, i) =>
      buildSale({
        id: `SEA01-R1-${String(i + 1).padStart(6, "0")}`,
        store: "SEA01",
        register: "SEA01-R1",
        currency: "USD",
        decimals: 2,
        lines: [
          { item: "1001", qty: 2, price: 9.99, taxGroup: "standard", taxRate: 10.35 },
          { item: "1002", qty: 1, price: 8.98, taxGroup: "standard", taxRate: 10.35, discountPct: 10 },
          { item: "1003", qty: 3, price: 14.99, taxGroup: "grocery", taxRate: 0 },
        ],
      }),
    );
    const uploadMs = await timeMsAsync(async () => {
      for (let i = 0; i < UPLOAD_TOTAL; i += BATCH) {
        const r = await http.post(
          "/v1/transactions/upload",
          { transactions: sales.slice(i, i + BATCH) },
          uploadAnswerSchema,
          { token },
        );
        if (!r.ok || r.body.counts.stored !== BATCH) throw new Error(`upload answered ${r.status}`);
      }
    });
    const uploadRate = (UPLOAD_TOTAL / uploadMs) * 1000;
    target(`batch upload (${UPLOAD_TOTAL / BATCH} × ${BATCH} transactions)`, uploadRate, "tx/s", 5000);

    // Baseline: the same rows inserted straight into a channel-schema database, one transaction, no HTTP.
    const baseDir = join(dir, "baseline.db");
    const db = new Database(baseDir);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    for (const m of CHANNEL_MIGRATIONS) if (typeof m === "string") db.exec(m);
    const insert = db.prepare(
      `INSERT INTO transactions (id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
         received_at, mode, content_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const rawInsertMs = timeMs(() =>
      db.transaction(() => {
        for (const s of sales) {
          insert.run(
            s.id,
            s.store,
            s.register,
            s.staff,
            s.customer,
            s.currency,
            0,
            s.createdAt,
            "",
            s.mode,
            "",
            JSON.stringify(s),
          );
        }
      })(),
    );
    db.close();
    const rawInsertRate = (UPLOAD_TOTAL / rawInsertMs) * 1000;
    figure("raw better-sqlite3 insert of the same rows", rawInsertRate, "rows/s");
    ratio("batch upload / raw insert", uploadRate / rawInsertRate, 0.1, true);
  } finally {
    http.close();
    agent.destroy();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
