// What `pos server start` prints once it listens, in every role, and the wait for Ctrl-C / SIGTERM.
import type { Deps } from "../lib/deps.js";
import type { ServerInfo } from "../server/start.js";

export async function announceAndServe(
  deps: Deps,
  running: ServerInfo & { close(): Promise<void> },
  role: { role: string; stores?: readonly string[] },
): Promise<void> {
  const { closeOnSignal } = await import("../server/start.js");
  const info = {
    url: running.url,
    host: running.host,
    port: running.port,
    adminTokenFile: running.adminTokenFile,
    dataDir: running.dataDir,
    serverFile: running.serverFile,
    pid: running.pid,
    hq: running.hq,
    ...role,
  };
  deps.output.result(info, (i: typeof info) =>
    [
      `listening on ${i.url}`,
      `admin token: ${i.adminTokenFile}`,
      `HQ: ${i.hq}`,
      ...(i.role === "hq" ? ["role: hq (store servers hold the channel databases)"] : []),
      ...(i.stores ? [`stores: ${i.stores.join(", ")}`] : []),
    ].join("\n"),
  );
  deps.output.info("press Ctrl-C to stop");
  const signal = await closeOnSignal(running, (s) => deps.output.info(`${s}: stopping (in-flight requests finish)`));
  deps.output.info(`stopped after ${signal}`);
}
