// What a replay runs against: the real server (embedded in a temp home, or --server) behind an in-process fault proxy.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFaultProxy, type FaultProxy } from "../faults/proxy.js";
import type { Clock } from "../lib/clock.js";
import { createPaths, type Paths } from "../lib/paths.js";

export interface ExternalServer {
  url: string;
  adminToken: string;
  /** The home the register lives in, so its transaction numbering continues from run to run. */
  paths: Paths;
}

export interface ReplayWorld {
  /** Where the register is provisioned. */
  paths: Paths;
  /** The server itself: provisioning and the observer's checks (serverHas) go here, past the faults. */
  serverUrl: string;
  adminToken: string;
  /** The register talks to the server only through this. */
  proxy: FaultProxy;
  /** "embedded" or the --server URL, for the report. */
  label: string;
  /** Resolves once the embedded server's scheduled runs woken by the virtual clock have finished. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenWorldOptions {
  clock: Clock;
  server?: ExternalServer;
  /** Seeds the fault proxy's draws (a random seed when absent). */
  seed?: number;
}

/**
 * Without a server: the real server in-process on a free loopback port, in a fresh temporary home with the sample
 * company, so two runs of one scenario see the same data and make the same transaction ids.
 */
export async function openWorld(options: OpenWorldOptions): Promise<ReplayWorld> {
  if (options.server) {
    const server = options.server;
    const proxy = await createFaultProxy({
      target: server.url,
      ...(options.seed !== undefined && { seed: options.seed }),
    });
    return {
      paths: server.paths,
      serverUrl: server.url,
      adminToken: server.adminToken,
      proxy,
      label: server.url,
      // An external server runs its schedules on its own (real) clock.
      settle: async () => {},
      close: () => proxy.close(),
    };
  }
  // Loaded here so that a replay against --server never loads fastify.
  const [{ startServer }, { defaultFixturesDir, loadFixtures }, { readVersion }] = await Promise.all([
    import("../server/start.js"),
    import("../lib/fixtures.js"),
    import("../lib/version.js"),
  ]);
  const home = mkdtempSync(join(tmpdir(), "pos-replay-"));
  const paths = createPaths(home);
  const removeHome = () => rmSync(home, { recursive: true, force: true });
  // Ctrl-C exits at once (bin/pos.js): the temporary home must not outlive the process either way.
  process.once("exit", removeHome);
  const cleanups: Array<() => Promise<void> | void> = [
    () => {
      process.off("exit", removeHome);
      removeHome();
    },
  ];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Later cleanups (the temp home) still run; a close failure cannot change the replay's result.
      }
    }
  };
  try {
    const server = await startServer({
      dataDir: paths.serverDir,
      serverDir: paths.serverDir,
      host: "127.0.0.1",
      port: 0,
      // The server shares the replay's virtual time, so what it records does not depend on the wall clock.
      clock: options.clock,
      version: readVersion(),
      fixtures: () => loadFixtures(defaultFixturesDir()),
      shutdownGraceMs: 2000,
    });
    cleanups.push(() => server.close());
    const proxy = await createFaultProxy({
      target: server.url,
      ...(options.seed !== undefined && { seed: options.seed }),
    });
    cleanups.push(() => proxy.close());
    return {
      paths,
      serverUrl: server.url,
      adminToken: server.adminToken,
      proxy,
      label: "embedded",
      settle: () => server.schedules.settled(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
