// Shared pieces of the CDX unit tests: admin calls through app.inject, and reading a session's package.
import type { DownloadSession, RunAnswer } from "../../../src/lib/api-sync.js";
import type { PackageChange } from "../../../src/sync/package/format.js";
import { readPackage } from "../../../src/sync/package/reader.js";
import { ADMIN, auth, type Harness } from "./harness.js";

export async function admin(
  h: Harness,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them
): Promise<{ status: number; body: any }> {
  const r = await h.app.inject({
    method,
    url,
    headers: auth(ADMIN),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: r.statusCode, body: r.json() };
}

export async function run(h: Harness, job: string, extra: { full?: boolean; database?: string } = {}) {
  const r = await admin(h, "POST", "/v1/admin/cdx/run", { job, ...extra });
  if (r.status !== 200) throw new Error(`run ${job} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as RunAnswer;
}

export async function setPrice(h: Harness, product: string, store: string, amount: string): Promise<void> {
  const r = await admin(h, "PUT", `/v1/admin/prices/${store}/${product}`, { amount });
  if (r.status !== 200) throw new Error(`price set answered ${r.status}: ${JSON.stringify(r.body)}`);
}

export function sessionFor(answer: RunAnswer, database: string, job?: string): DownloadSession {
  const found = answer.sessions.find((s) => s.database === database && (job === undefined || s.job === job));
  if (!found) throw new Error(`no session for ${database} ${job ?? ""} in ${JSON.stringify(answer.sessions)}`);
  return found;
}

/** Every change line of a session's package file (at HQ). */
export async function changesOf(session: DownloadSession): Promise<PackageChange[]> {
  if (!session.file) throw new Error(`session ${session.id} has no package`);
  const changes: PackageChange[] = [];
  for await (const entry of readPackage(session.file)) if (entry.kind === "change") changes.push(entry.change);
  return changes;
}
