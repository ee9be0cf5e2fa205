// The CDX thread: writes every package of a distribution run from an HQ snapshot (SQLite or PostgreSQL), and applies channel packages.
import { parentPort } from "node:worker_threads";
import { applyPackage } from "../../sync/package/apply.js";
import { openChannelDatabase } from "../channel-db.js";
import { type HqSnapshot, openHqSnapshot, writeSessionPackage } from "./generate.js";
import type { ApplyJob, ApplyOutcome, GenerateJob, GenerateOutcome } from "./generate-protocol.js";

parentPort?.on("message", (job: GenerateJob | ApplyJob) => {
  const done = (outcome: GenerateOutcome | ApplyOutcome) => parentPort?.postMessage(outcome);
  if (job.kind === "apply") void apply(job).then(done);
  else void run(job).then(done);
});

async function apply(job: ApplyJob): Promise<ApplyOutcome> {
  let db: ReturnType<typeof openChannelDatabase> | undefined;
  try {
    db = openChannelDatabase(job.database);
    return { ok: true, result: await applyPackage(db, job.file, job.expected, { now: job.now }) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  } finally {
    db?.close();
  }
}

async function run(job: GenerateJob): Promise<GenerateOutcome> {
  let snapshot: HqSnapshot | undefined;
  try {
    snapshot = await openHqSnapshot(job.source);
    const version = snapshot.version;
    const written: Extract<GenerateOutcome, { ok: true }>["written"] = [];
    for (const plan of job.plans) {
      // A plan already at the snapshot's version has nothing to carry: skipped without reading a row.
      if (!plan.full && plan.fromVersion >= version) {
        written.push({ rows: {}, size: 0, sha256: "", empty: true });
        continue;
      }
      const result = await writeSessionPackage(snapshot, { ...plan, toVersion: version });
      const rows = Object.values(result.rows).reduce((sum, n) => sum + (n ?? 0), 0);
      written.push({ rows: result.rows, size: result.size, sha256: result.sha256, empty: rows === 0 });
    }
    return { ok: true, version, written };
  } catch (error) {
    const unavailable =
      job.source.engine === "postgres" && (await import("../hq/pg-sql.js")).isConnectionFailure(error);
    return { ok: false, message: (error as Error).message, ...(unavailable ? { unavailable } : {}) };
  } finally {
    await snapshot?.close().catch(() => undefined);
  }
}
