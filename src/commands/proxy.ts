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
  seed?: string;
}

interface FaultOptions {
  times?: string;
  path?: string;
  probability?: string;
  jitter?: string;
  delay?: string;
  direction?: string;
  control?: string;
}

interface ControlOptions {
  control?: string;
  seed?: string;
}

const FAULTS =
  "none | refuse | blackhole | stall | latency <ms> | http <status> | reset | garbage | lost-ack | bandwidth <KB/s> | slicer <bytes> | limit-data <bytes> | slow-close <ms>";

/** The options every fault may take, on `set` and `add`. */
function faultCommand(command: Command): Command {
  return command
    .argument("<fault...>", FAULTS)
    .option("--times <n>", "only the next n matching requests, then gone")
    .option("--path <prefix>", "only requests to this path or below it, e.g. /v1/transactions")
    .option("--probability <p>", "each matching request is faulted with this chance, 0..1 (drawn from the seed)")
    .option("--jitter <ms>", "latency: each delay is ms ± up to this much (drawn from the seed)")
    .option("--delay <ms>", "slicer: pause between pieces")
    .option("--direction <up|down>", "latency, bandwidth, slicer, limit-data: the requests (up) or the answers (down)")
    .option("--control <url>", "the proxy's control URL (default: from <home>/proxy.json)");
}

export function register(program: Command): void {
  const proxy = program
    .command("proxy")
    .description("a TCP fault proxy between registers and a server: faults by hand, stacked, seeded")
    .addHelpText(
      "after",
      "\nExamples:\n  pos proxy start --target http://127.0.0.1:7100 --seed 42 &\n  pos proxy set latency 300 --jitter 100\n  pos proxy add reset --probability 0.02\n  pos proxy status",
    );

  proxy
    .command("start")
    .description("run the fault proxy in the foreground until Ctrl-C")
    .requiredOption("--target <url>", "the server to forward to")
    .option("--listen <host:port>", "where registers connect (port 0 picks a free one)", "127.0.0.1:0")
    .option("--control <host:port>", "where `pos proxy set` reaches the proxy", "127.0.0.1:0")
    .option("--seed <n>", "seed for --probability and --jitter draws (default: a random one, printed)")
    .addHelpText(
      "after",
      "\nExample:\n  pos proxy start --listen 127.0.0.1:7200 --target http://127.0.0.1:7100 --seed 42",
    )
    .action(
      action(async (deps, options: StartOptions) => {
        const [{ startProxyService }, { parseSeed }] = await Promise.all([
          import("../faults/service.js"),
          import("../faults/fault-spec.js"),
        ]);
        const { seed, ...addresses } = options;
        const running = await startProxyService({
          ...addresses,
          ...(seed !== undefined && { seed: parseSeed(seed, "--seed") }),
          home: deps.paths.home,
          onChange: (text) => deps.output.info(`fault: ${text}`),
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

  faultCommand(
    proxy
      .command("set")
      .description("replace the running proxy's faults; they apply to the next request ('+' stacks several)"),
  )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  pos proxy set http 503 --times 2",
        "  pos proxy set latency 300 --jitter 100",
        "  pos proxy set bandwidth 256 + limit-data 2MB times=1 path=/v1/sync",
        "  pos proxy set reset --probability 0.05",
        "  pos proxy set none",
      ].join("\n"),
    )
    .action(
      action(async (deps, options: FaultOptions, words: string[]) => {
        const [{ sendFault }, { resolveControlUrl }, faults] = await Promise.all([
          import("../faults/control.js"),
          import("../faults/service.js"),
          import("../faults/fault-spec.js"),
        ]);
        const list = faults.parseFaultWords(words, faultLimits(faults, options));
        const status = await sendFault(resolveControlUrl(deps.paths.home, options.control), list);
        deps.output.result(status, (s: ProxyStatus) => `fault: ${s.text} (proxy ${s.url} → ${s.target})`);
      }),
    );

  faultCommand(proxy.command("add").description("add a fault on top of those in force (stacked)"))
    .addHelpText(
      "after",
      "\nExamples:\n  pos proxy add latency 300 --probability 0.1\n  pos proxy add lost-ack --path /v1/transactions --times 1",
    )
    .action(
      action(async (deps, options: FaultOptions, words: string[]) => {
        const [{ addFault }, { resolveControlUrl }, faults] = await Promise.all([
          import("../faults/control.js"),
          import("../faults/service.js"),
          import("../faults/fault-spec.js"),
        ]);
        const fault = faults.parseFault(words.join(" "), faultLimits(faults, options));
        const status = await addFault(resolveControlUrl(deps.paths.home, options.control), fault);
        deps.output.result(status, (s: ProxyStatus) => `fault: ${s.text} (proxy ${s.url} → ${s.target})`);
      }),
    );

  proxy
    .command("reset")
    .description("clear every fault and counter; the draws start again from the seed")
    .option("--seed <n>", "start the draws from this seed instead")
    .option("--control <url>", "the proxy's control URL (default: from <home>/proxy.json)")
    .addHelpText("after", "\nExamples:\n  pos proxy reset\n  pos proxy reset --seed 42 --json")
    .action(
      action(async (deps, options: ControlOptions) => {
        const [{ resetProxy }, { resolveControlUrl }, { parseSeed }] = await Promise.all([
          import("../faults/control.js"),
          import("../faults/service.js"),
          import("../faults/fault-spec.js"),
        ]);
        const seed = options.seed === undefined ? undefined : parseSeed(options.seed, "--seed");
        const status = await resetProxy(resolveControlUrl(deps.paths.home, options.control), seed);
        deps.output.result(status, (s: ProxyStatus) => `fault: none, counters cleared (seed ${s.seed})`);
      }),
    );

  proxy
    .command("status")
    .description("show the running proxy's faults and counters")
    .option("--control <url>", "the proxy's control URL (default: from <home>/proxy.json)")
    .addHelpText("after", "\nExamples:\n  pos proxy status\n  pos proxy status --json | jq .stats.faulted")
    .action(
      action(async (deps, options: ControlOptions) => {
        const [{ fetchProxyStatus }, { resolveControlUrl }] = await Promise.all([
          import("../faults/control.js"),
          import("../faults/service.js"),
        ]);
        const status = await fetchProxyStatus(resolveControlUrl(deps.paths.home, options.control));
        deps.output.result(status, renderStatus);
      }),
    );
}

function faultLimits(
  faults: typeof import("../faults/fault-spec.js"),
  options: FaultOptions,
): import("../faults/fault-spec.js").FaultLimits {
  return {
    times: options.times === undefined ? undefined : faults.parseCount(options.times, "--times"),
    path: options.path,
    probability:
      options.probability === undefined ? undefined : faults.parseProbability(options.probability, "--probability"),
    jitter: options.jitter === undefined ? undefined : faults.parseMs(options.jitter, "jitter", "--jitter"),
    delay: options.delay === undefined ? undefined : faults.parseMs(options.delay, "delay", "--delay"),
    direction: options.direction === undefined ? undefined : faults.parseDirection(options.direction, "--direction"),
  };
}

function renderStarted(info: ProxyServiceInfo): string {
  return [
    `fault proxy listening on ${info.url} → ${info.target}`,
    `control: ${info.control} (pos proxy set <fault>; written to ${info.file})`,
  ].join("\n");
}

function renderStatus(status: ProxyStatus): string {
  const { stats } = status;
  const faulted = Object.entries(stats.faulted)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`);
  const faults =
    status.faults.length === 0
      ? ["fault        none"]
      : status.faults.map(
          (f, i) => `${i === 0 ? "faults       " : "             "}${f.text}  (injected ${f.injected})`,
        );
  return [
    `proxy        ${status.url} → ${status.target}`,
    ...faults,
    `seed         ${status.seed}`,
    `requests     ${stats.requests} (forwarded ${stats.forwarded}; faulted ${faulted.join(", ") || "none"})`,
    `bytes        up ${stats.bytes.up}, down ${stats.bytes.down}`,
    `connections  ${stats.connections} open, ${stats.connectionsTotal} in all`,
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
