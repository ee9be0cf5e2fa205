// HQ's "Register offline status" view: every register with what it last reported about its offline database.
import type { RegisterStatus } from "../../lib/api-sync.js";
import type { HqStore } from "../hq/store.js";

/** Registers that never reported are listed too (mode null), so a silent register stands out. */
export function listRegisterStatus(hq: HqStore): Promise<RegisterStatus[]> {
  return hq.registerStatus.all();
}
