// `pos proxy start|set|status`: the fault proxy by hand (SPEC §7); the proxy itself loads only when a command runs.
import type { Command } from "commander";
import type { ProxyStatus } from "../faults/control.js";
import type { ProxyServiceInfo } from "../faults/service.js";
import { ownSignal } from "../lib/signals.js";
import { action } from "./action.js";

interface StartOptions {
  listen: string;
  target: string;
  control: string;
}

interface SetOptions {
  times?: string;
  path?: string;
  control?: string;
}

interface StatusOptions {
  control?: string;
}

export function register(program: Command): void {
  const proxy = program
    .command("proxy")
    .addHelpText(
      "after",
      "\nExamples:\n  pos proxy start --target http://127.0.0.1:7100 &\n  pos proxy set latency 300",
    );

  proxy
    .command("start")
    .description("run the fault proxy in the foreground until Ctrl-C")
    .requiredOption("--target <url>", "the server to forward to")
    .option("--listen <host:port>", "where registers connect (port 0 picks a free one)", "127.0.0.1:0")
    .option("--control <host:port>", "where `pos proxy set` reaches the proxy", "127.0.0.1:0")
    .addHelpText("after", "\nExample:\n  pos proxy start --listen 127.0.0.1:7200 --target http://127.0.0.1:7100")
    .action(
      action(async (deps, options: StartOptions) => {
        const [{ startProxyService }, { formatFault }] = await Promise.all([
          import("../faults/service.js"),
          import("../faults/fault-spec.js"),
        ]);
        const running = await startProxyService({
          ...options,
          home: deps.paths.home,
          onChange: (fault) => deps.output.info(`fault: ${formatFault(fault)}`),
        });
        try {
          deps.output.result(running.info, renderStarted);
          deps.output.info("Ctrl-C stops it.");
          await untilSignal();
        } finally {
          await running.close();
        }
        deps.output.info("fault proxy stopped");
      }),
    );

  proxy
    .command("set")
    .description("change the running proxy's fault; it applies to the next request")
    .argument(
      "<fault...>",
      "none | refuse | blackhole | stall | latency <ms> | http <status> | reset | garbage | lost-ack",
    )
    .option("--times <n>", "only the next n matching requests, then none")
    .option("--path <prefix>", "only requests to this path or below it, e.g. /v1/transactions")
    .option("--control <url>", "the proxy's control URL (default: from <home>/proxy.json)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos proxy set http 503 --times 2\n  pos proxy set refuse\n  pos proxy set none",
    )
    .action(
      action(async (deps, options: SetOptions, words: string[]) => {
        const [{ parseCount, parseFault }, { sendFault }, { resolveControlUrl }] = await Promise.all([
          import("../faults/fault-spec.js"),
          import("../faults/control.js"),
          import("../faults/service.js"),
        ]);
        const fault = parseFault(words.join(" "), {
          times: options.times === undefined ? undefined : parseCount(options.times, "--times"),
          path: options.path,
        });
        const status = await sendFault(resolveControlUrl(deps.paths.home, options.control), fault);
        deps.output.result(status, (s: ProxyStatus) => `fault: ${s.text} (proxy ${s.url} → ${s.target})`);
      }),
    );

  proxy
    .command("status")
    .description("show the running proxy's fault and counters")
    .option("--control <url>", "the proxy's control URL (default: from <home>/proxy.json)")
    .addHelpText("after", "\nExample:\n  pos proxy status --json")
    .action(
      action(async (deps, options: StatusOptions) => {
        const [{ fetchProxyStatus }, { resolveControlUrl }] = await Promise.all([
          import("../faults/control.js"),
          import("../faults/service.js"),
        ]);
        const status = await fetchProxyStatus(resolveControlUrl(deps.paths.home, options.control));
        deps.output.result(status, renderStatus);
      }),
    );
}

function renderStarted(info: ProxyServiceInfo): string {
  return [
    `fault proxy listening on ${info.url} → ${info.target}`,
    `control: ${info.control} (pos proxy set <fault>; written to ${info.file})`,
  ].join("\n");
}

function renderStatus(status: ProxyStatus): string {
  const faulted = Object.entries(status.stats.faulted)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`);
  return [
    `proxy        ${status.url} → ${status.target}`,
    `fault        ${status.text}`,
    `requests     ${status.stats.requests} (forwarded ${status.stats.forwarded}; faulted ${faulted.join(", ") || "none"})`,
    `connections  ${status.stats.connections} open`,
  ].join("\n");
}

/** Resolves on SIGINT or SIGTERM; while it waits, bin/pos.js leaves both to us, so the stop is clean (exit 0). */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = ownSignal(() => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    });
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
