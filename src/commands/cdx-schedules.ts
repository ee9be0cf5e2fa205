// `pos cdx schedules [set|pause|resume]` and `pos cdx try-count`: the server's recurring distribution schedules.
import type { Command } from "commander";
import type { Deps } from "../lib/deps.js";
import type { SchedulesClient } from "../lib/schedules-client.js";
import { action } from "./action.js";
import { type ConnectionOptions, leaf } from "./admin-leaf.js";

type Renderers = typeof import("../ui/schedules.js");

function scheduleAction<A extends unknown[], T>(
  run: (client: SchedulesClient, ...args: A) => Promise<T>,
  human: (render: Renderers) => (data: T) => string,
) {
  return action(async (deps: Deps, options: ConnectionOptions, ...args: A) => {
    const [{ resolveAdminConnection }, { createSchedulesClient }, render] = await Promise.all([
      import("../lib/admin-client.js"),
      import("../lib/schedules-client.js"),
      import("../ui/schedules.js"),
    ]);
    const client = createSchedulesClient(resolveAdminConnection(deps.paths, deps.env, options));
    try {
      const data = await run(client, ...args);
      deps.output.result<T>(data, human(render));
      return data;
    } finally {
      client.close();
    }
  });
}

export function registerSchedules(cdx: Command): void {
  const schedules = cdx
    .command("schedules")
    .description("recurring distribution schedules: each job's interval, last and next run, and the try count")
    .addHelpText(
      "after",
      "\nExamples:\n  pos cdx schedules\n  pos cdx schedules set 1040 5m\n  pos cdx schedules pause 9999",
    );
  leaf(
    schedules.command("list", { isDefault: true }),
    "show every schedule (the default)",
    "pos cdx schedules --json",
  ).action(
    scheduleAction(
      (c) => c.list(),
      (r) => r.renderSchedules,
    ),
  );
  leaf(
    schedules.command("set <job> <interval>"),
    "run a job (1010 1040 1060 1070 1090, 9999 all, P-0001 upload, ASYNC-CUSTOMERS HQ's async customer job) every interval: 30s, 5m, 24h; off pauses it",
    "pos cdx schedules set 1040 5m",
  ).action(
    scheduleAction(
      (c, job: string, interval: string) => c.change(job, { interval }),
      (r) => r.renderSchedule,
    ),
  );
  for (const [name, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    leaf(
      schedules.command(`${name} <job>`),
      paused ? "stop running a job on its schedule" : "run a paused job on its schedule again",
      `pos cdx schedules ${name} 9999`,
    ).action(
      scheduleAction(
        (c, job: string) => c.change(job, { paused }),
        (r) => r.renderSchedule,
      ),
    );
  }
  leaf(
    cdx.command("try-count <n>"),
    "set how many failed attempts make a download session Suspended (D365 tryCount; default 3)",
    "pos cdx try-count 5",
  ).action(
    scheduleAction(
      async (c, n: string) => {
        const [{ parseTryCount, ScheduleInputError }, { UsageError }] = await Promise.all([
          import("../server/schedules/rules.js"),
          import("../lib/errors.js"),
        ]);
        try {
          return await c.setTryCount(parseTryCount(n));
        } catch (error) {
          if (error instanceof ScheduleInputError) throw new UsageError(error.message);
          throw error;
        }
      },
      () => (d: { tryCount: number }) => `try count: ${d.tryCount}`,
    ),
  );
}
