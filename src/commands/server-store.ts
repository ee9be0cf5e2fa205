// `pos server start --role store`: a store server in the foreground until Ctrl-C / SIGTERM.
import { resolve } from "node:path";
import type { Deps } from "../lib/deps.js";
import type { RolePlan } from "../server/roles.js";
import type { StoreRound } from "../server/store/catch-up.js";

type StorePlan = Extract<RolePlan, { role: "store" }>;

export async function startStore(
  deps: Deps,
  options: { data?: string; host: string; logLevel?: string; logFile?: string },
  plan: StorePlan,
  port: number,
): Promise<void> {
  const [{ readHqToken }, { startStoreServer }, { readVersion }] = await Promise.all([
    import("../server/roles.js"),
    import("../server/store/start.js"),
    import("../lib/version.js"),
  ]);
  const level = options.logLevel ?? (options.logFile ? "info" : undefined);
  // Only what changed is printed, per store: a quiet round every interval would bury the log. A round's error is
  // one line when it first appears or changes (HQ away at start is the start's warning), its end another.
  const lastError = new Map<string, string>();
  // True until the start says whether HQ answered; then true only when its warning said HQ was away.
  let awayAtStart = true;
  const onRound = (rounds: StoreRound[]) => {
    for (const r of rounds) {
      const before = lastError.get(r.store);
      if (r.error !== null) {
        // HQ away in the first round after a start that warned so: that warning line said it.
        const startWarning =
          before === undefined && awayAtStart && /unreachable|refused|not answering|timed out/i.test(r.error);
        if (r.error !== before && !startWarning) {
          deps.output.warn(`store ${r.store}: HQ round stopped (selling on): ${r.error}`);
        }
        lastError.set(r.store, r.error);
        continue;
      }
      if (before !== undefined) deps.output.info(`store ${r.store}: HQ round works again`);
      lastError.delete(r.store);
      if (r.applied > 0) deps.output.info(`store ${r.store}: applied ${r.applied} session(s) from HQ`);
      if (r.stoppedBy) deps.output.warn(`store ${r.store}: channel download stopped: ${r.stoppedBy}`);
      if (r.pushed > 0) {
        deps.output.info(
          `store ${r.store}: P-0001 pushed ${r.pushed} transaction(s), ${r.inserted} new at HQ (HQ has up to ${r.counter})`,
        );
      }
    }
  };
  const running = await startStoreServer({
    dataDir: options.data ? resolve(options.data) : deps.paths.serverDir,
    serverDir: deps.paths.serverDir,
    host: options.host,
    port,
    clock: deps.clock,
    version: readVersion(),
    stores: plan.stores,
    hqUrl: plan.hqUrl,
    hqToken: readHqToken(plan.token, deps.env),
    intervalSec: plan.intervalSec,
    ...(level
      ? {
          log: {
            level: level as "debug" | "info" | "warn" | "error",
            ...(options.logFile ? { file: resolve(options.logFile) } : {}),
          },
        }
      : {}),
    onRound,
    onInternalError: (error) => deps.output.warn(`internal error: ${(error as Error)?.stack ?? String(error)}`),
  });
  awayAtStart = Boolean(running.hqAway);
  if (running.hqAway) deps.output.warn(`${running.hqAway}: selling anyway, catching up when HQ is back`);
  const { announceAndServe } = await import("./server-serve.js");
  await announceAndServe(deps, running, { role: "store", stores: running.stores });
}
