// Shared pieces of the CDX end-to-end tests: the CLI in one home, JSON answers, an offline database's contents.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import type { DownloadSession, RunAnswer } from "../../src/lib/api-sync.js";
import { TABLE_NAMES } from "../../src/schema/tables.js";
import { type RunResult, runPos } from "../helpers/cli.js";

export function cdxCli(home: string) {
  const pos = (args: string[]): Promise<RunResult> => runPos(args, { home });
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them
  const json = async (args: string[]): Promise<any> => {
    const r = await pos(["--json", ...args]);
    expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  const run = (job: string, ...extra: string[]) => json(["cdx", "run", job, ...extra]) as Promise<RunAnswer>;
  const sessions = async (database: string): Promise<DownloadSession[]> =>
    (await json(["cdx", "sessions", "--db", database])).sessions;
  const session = async (id: number): Promise<DownloadSession> => {
    const found = (await json(["cdx", "sessions", "--limit", "10000"])).sessions.find(
      (s: DownloadSession) => s.id === id,
    );
    if (!found) throw new Error(`no session ${id}`);
    return found;
  };
  const deviceToken = (register: string): string =>
    (JSON.parse(readFileSync(join(home, "registers", register, "register.json"), "utf8")) as { deviceToken: string })
      .deviceToken;
  return { pos, json, run, sessions, session, deviceToken };
}

export function sessionOf(answer: RunAnswer, database: string, job?: string): DownloadSession {
  const found = answer.sessions.find((s) => s.database === database && (job === undefined || s.job === job));
  if (!found) throw new Error(`no session for ${database} ${job ?? ""}: ${JSON.stringify(answer)}`);
  return found;
}

/** Every master-data row of a register's offline database, table by table, in a stable order. */
export function offlineContents(home: string, register: string): Record<string, unknown[]> {
  const db = new Database(join(home, "registers", register, "offline.db"), { readonly: true });
  try {
    return Object.fromEntries(
      TABLE_NAMES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all() as unknown[]]),
    );
  } finally {
    db.close();
  }
}

export function offlinePrice(home: string, register: string, product: string): number | undefined {
  const db = new Database(join(home, "registers", register, "offline.db"), { readonly: true });
  try {
    return db.prepare("SELECT amount FROM prices WHERE product_id = ?").pluck().get(product) as number | undefined;
  } finally {
    db.close();
  }
}
