// `pos cdx …`: distribution schedules — jobs, runs, download and upload sessions, channel databases (SPEC §3).
import type { Command } from "commander";
import { DOWNLOAD_STATUSES } from "../lib/api-sync.js";
import type { CdxClient } from "../lib/cdx-client.js";
import type { Deps } from "../lib/deps.js";
import { UsageError } from "../lib/errors.js";
import { action } from "./action.js";
import { type ConnectionOptions, leaf } from "./admin-leaf.js";
import { registerSchedules } from "./cdx-schedules.js";

type Renderers = typeof import("../ui/cdx.js");

/**
 * Runs `run` with a CDX client (loaded lazily) and prints its answer: a table for people, JSON with --json.
 * `failed` turns an answer that reports a failure into exit 1 after it was printed.
 */
function cdxAction<O extends ConnectionOptions, A extends unknown[], T>(
  run: (client: CdxClient, options: O, ...args: A) => Promise<T>,
  human: (render: Renderers) => (data: T) => string,
  failed?: (data: T) => string | undefined,
) {
  return action(async (deps: Deps, options: O, ...args: A) => {
    const [{ resolveAdminConnection }, { createCdxClient }, render, { OperationError }] = await Promise.all([
      import("../lib/admin-client.js"),
      import("../lib/cdx-client.js"),
      import("../ui/cdx.js"),
      import("../lib/errors.js"),
    ]);
    const client = createCdxClient(resolveAdminConnection(deps.paths, deps.env, options));
    try {
      const data = await run(client, options, ...args);
      deps.output.result(data, human(render));
      const failure = failed?.(data);
      if (failure) throw new OperationError(failure, "CdxFailed");
    } finally {
      client.close();
    }
  });
}

function sessionId(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`session id: expected a number, got "${text}"`);
  return Number(text);
}

const FAILED = new Set(["Apply failed", "Download failed", "Suspended"]);

export function register(program: Command): void {
  const cdx = program
    .command("cdx")
    .addHelpText(
      "after",
      "\nExamples:\n  pos cdx jobs\n  pos cdx run 1040\n  pos cdx sessions --json\n  pos cdx rerun 12",
    );

  leaf(cdx.command("jobs"), "list the distribution jobs and the tables each carries", "pos cdx jobs").action(
    cdxAction(
      (c) => c.jobs(),
      (r) => r.renderJobs,
    ),
  );

  interface RunOptions extends ConnectionOptions {
    full?: boolean;
    db?: string;
  }
  leaf(
    cdx.command("run <job>"),
    "run a distribution schedule: one session per database and job (1010 1040 1060 1070 1090, 9999 all, P-0001 upload)",
    "pos cdx run 1040            # or: pos cdx run 9999 --full --db SEA01-R1-OFFLINE",
  )
    .option("--full", "package all rows and replace the job's tables at the target")
    .option("--db <name>", "only this channel or offline database (pos cdx databases lists them)")
    .action(
      cdxAction(
        (c, o: RunOptions, job: string) =>
          c.run({ job, ...(o.full ? { full: true } : {}), ...(o.db ? { database: o.db } : {}) }),
        (r) => r.renderRun,
        (answer) => {
          const bad = answer.sessions.filter((s) => FAILED.has(s.status)).map((s) => `session ${s.id} ${s.status}`);
          bad.push(...answer.uploads.filter((u) => u.status === "Apply failed").map((u) => `upload ${u.id} failed`));
          return bad.length ? `the server could not apply: ${bad.join(", ")}` : undefined;
        },
      ),
    );

  interface SessionsOptions extends ConnectionOptions {
    db?: string;
    status?: string;
    job?: string;
    limit?: string;
  }
  leaf(
    cdx.command("sessions"),
    "list download sessions (newest 200 unless --limit), oldest first",
    'pos cdx sessions --db SEA01-R1-OFFLINE --status "Apply failed,Suspended"',
  )
    .option("--db <name>", "only this database")
    .option("--status <list>", "only these statuses, comma-separated (Available, Applied, No data, Suspended, …)")
    .option("--job <job>", "only this job")
    .option("--limit <n>", "at most this many (the newest)")
    .action(
      cdxAction(
        (c, o: SessionsOptions) => {
          if (o.limit !== undefined && !/^[1-9]\d*$/.test(o.limit))
            throw new UsageError(`--limit: expected a number ≥ 1, got "${o.limit}"`, "BadInput", "pass --limit 50");
          const unknown = o.status
            ?.split(",")
            .find((s) => !(DOWNLOAD_STATUSES as readonly string[]).includes(s.trim()));
          if (unknown !== undefined) {
            throw new UsageError(
              `--status: unknown status "${unknown}"`,
              "BadInput",
              `use one or more of: ${DOWNLOAD_STATUSES.join(", ")}`,
            );
          }
          return c.sessions({
            database: o.db,
            status: o.status,
            job: o.job,
            limit: o.limit === undefined ? undefined : Number(o.limit),
          });
        },
        (r) => (d) => r.renderSessions(d.sessions),
      ),
    );

  leaf(
    cdx.command("rerun <id>"),
    "make a failed or Suspended session Available again (attempts reset)",
    "pos cdx rerun 42",
  ).action(
    cdxAction(
      (c, _o, id: string) => c.rerun(sessionId(id)),
      (r) => r.renderSession,
    ),
  );

  leaf(
    cdx.command("cancel <id>"),
    "cancel a session; later sessions of its database and job go with it and the next run packages their rows again",
    "pos cdx cancel 42",
  ).action(
    cdxAction(
      (c, _o, id: string) => c.cancel(sessionId(id)),
      (r) => r.renderCancel,
    ),
  );

  leaf(
    cdx.command("upload-sessions"),
    "list P-0001 upload sessions, and the transactions channel databases kept as conflicts",
    "pos cdx upload-sessions",
  ).action(
    cdxAction(
      (c) => c.uploadSessions(),
      (r) => r.renderUploadSessions,
    ),
  );

  leaf(
    cdx.command("databases"),
    "list channel and offline databases, their data groups, pause state and job versions",
    "pos cdx databases",
  ).action(
    cdxAction(
      (c) => c.databases(),
      (r) => r.renderDatabases,
    ),
  );

  for (const [name, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    leaf(
      cdx.command(`${name} <db>`),
      paused
        ? "Pause data synchronization: runs make no sessions for the database"
        : "resume data synchronization: the next run catches up in one session per job",
      `pos cdx ${name} SEA01-R1-OFFLINE`,
    ).action(
      cdxAction(
        (c, _o, db: string) => (paused ? c.pause(db) : c.resume(db)),
        (r) => r.renderDatabase,
      ),
    );
  }

  leaf(
    cdx.command("registers"),
    "every register's reported offline status (mode, last sync, pending uploads, database size)",
    "pos cdx registers",
  ).action(
    cdxAction(
      (c) => c.registers(),
      (r) => r.renderRegisters,
    ),
  );

  registerSchedules(cdx);
}
