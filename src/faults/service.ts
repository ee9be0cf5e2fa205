// Runs the fault proxy for `pos proxy`: address parsing, start and stop, and the <home>/proxy.json hand-off file.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Clock, systemClock } from "../lib/clock.js";
import { UnreachableError, UsageError } from "../lib/errors.js";
import { type ControlServer, startControlServer } from "./control.js";
import { formatFault } from "./fault-spec.js";
import { createFaultProxy, type FaultProxy } from "./proxy.js";

export interface ProxyServiceOptions {
  /** `host:port` to listen on (`:0` or port 0 picks a free port). */
  listen: string;
  target: string;
  /** `host:port` of the control endpoint. */
  control: string;
  home: string;
  /** Times latency delays and stamps the start; leave it out in production (see createFaultProxy). */
  clock?: Clock;
  /** Seeds the proxy's draws (probability, jitter); a random one when absent. */
  seed?: number;
  /** Told the faults in force (text form) after every change. */
  onChange?: (text: string) => void;
}

export interface ProxyServiceInfo {
  url: string;
  target: string;
  control: string;
  /** Where `pos proxy set` finds the control URL. */
  file: string;
  fault: string;
  seed: number;
  pid: number;
  startedAt: string;
}

export interface RunningProxy {
  readonly info: ProxyServiceInfo;
  readonly proxy: FaultProxy;
  close(): Promise<void>;
}

const ProxyFileSchema = z.object({ control: z.string(), url: z.string(), pid: z.number() });

export function proxyFile(home: string): string {
  return join(home, "proxy.json");
}

/** Parses `host:port`, `[v6]:port`, `:port` or `port` (host defaults to loopback); throws UsageError naming the value. */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed);
  const colon = trimmed.lastIndexOf(":");
  const host = bracketed ? bracketed[1] : colon >= 0 ? trimmed.slice(0, colon) : "";
  const portText = bracketed ? bracketed[2] : trimmed.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText ?? "") || port > 65535 || (host ?? "").includes(" ")) {
    throw new UsageError(`${flag} "${text}" is not host:port (e.g. 127.0.0.1:7200)`, "BadAddress");
  }
  return { host: host || "127.0.0.1", port };
}

export async function startProxyService(options: ProxyServiceOptions): Promise<RunningProxy> {
  const listen = parseHostPort(options.listen, "--listen");
  const controlAddress = parseHostPort(options.control, "--control");
  const proxy = await createFaultProxy({
    target: options.target,
    ...listen,
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.seed !== undefined && { seed: options.seed }),
  });
  let control: ControlServer;
  try {
    control = await startControlServer(proxy, {
      ...controlAddress,
      ...(options.onChange !== undefined && { onChange: options.onChange }),
    });
  } catch (error) {
    await proxy.close();
    throw error;
  }
  const file = proxyFile(options.home);
  const info: ProxyServiceInfo = {
    url: proxy.url,
    target: options.target,
    control: control.url,
    file,
    fault: formatFault(proxy.fault()),
    seed: proxy.stats().seed,
    pid: process.pid,
    startedAt: new Date((options.clock ?? systemClock).now()).toISOString(),
  };
  mkdirSync(options.home, { recursive: true });
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
  return {
    info,
    proxy,
    async close() {
      await Promise.all([control.close(), proxy.close()]);
      // Leave the file alone if another proxy has taken over this home since.
      if (readProxyFile(options.home)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

/** The control URL from --control, else from the running proxy's proxy.json; UnreachableError when there is none. */
export function resolveControlUrl(home: string, option?: string): string {
  if (option !== undefined) return option.includes("://") ? option : `http://${option}`;
  const found = readProxyFile(home);
  if (!found) {
    throw new UnreachableError(
      `no running fault proxy found (${proxyFile(home)} is missing or unreadable)`,
      "ProxyUnreachable",
      "start one with `pos proxy start --target <url>` under the same --home, or pass --control <url>",
    );
  }
  return found.control;
}

function readProxyFile(home: string): z.infer<typeof ProxyFileSchema> | undefined {
  try {
    const parsed = ProxyFileSchema.safeParse(JSON.parse(readFileSync(proxyFile(home), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
