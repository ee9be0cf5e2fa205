// `pos journal show`: the register's recent transactions as the register itself would see them (online or offline).
import type { Clock } from "../lib/clock.js";
import type { Paths } from "../lib/paths.js";
import { createFileStateStore, createMemoryStateStore } from "./connection-state.js";
import { connectionStateFile } from "./open.js";
import { openRegister } from "./runtime.js";
import type { JournalView } from "./sale-session.js";

export interface RegisterJournal extends JournalView {
  register: string;
  /** The register's connection mode when it was read. */
  mode: string;
}

/**
 * Asks like the register would: online the server's channel database, offline (or when the server does not answer)
 * the offline database. A support command never changes the register's saved connection state, so the switch a
 * failed request causes lives only in this process.
 */
export async function readRegisterJournal(options: {
  paths: Paths;
  clock: Clock;
  registerId: string;
  limit: number;
}): Promise<RegisterJournal> {
  const { paths, clock, registerId } = options;
  const saved = createFileStateStore(connectionStateFile(paths, registerId), () => clock.now()).read();
  const runtime = await openRegister({ paths, clock, registerId, stateStore: createMemoryStateStore(saved) });
  try {
    const view = await runtime.newSession().journal(options.limit);
    return { register: registerId, mode: runtime.manager.mode, ...view };
  } finally {
    await runtime.close();
  }
}
