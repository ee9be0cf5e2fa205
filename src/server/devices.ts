// Device activation and authentication, and the offline status registers report (HQ's "Register offline status").
import type { z } from "zod";
import {
  type ActivateAnswer,
  ERROR_CODES,
  type offlineStatusBodySchema,
  type offlineStatusRowSchema,
} from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import { ApiError } from "./api-error.js";
import type { HqStore } from "./hq/store.js";
import { isoTime } from "./statements.js";
import { hashToken, newToken } from "./tokens.js";

/** Who a device token speaks for. */
export interface Device {
  register: string;
  store: string;
}

/**
 * Issues a new device token for a register known at HQ. Re-activating a register replaces its token: the
 * previous one stops working at once (only one device per register, as with a D365 device activation).
 */
export async function activateDevice(hq: HqStore, register: string, clock: Clock): Promise<ActivateAnswer> {
  const token = newToken("dev");
  const activatedAt = isoTime(clock.now());
  const activated = await hq.devices.activate(register, hashToken(token), activatedAt);
  if (!activated) throw new ApiError(404, ERROR_CODES.terminalNotFound, `register ${register} is not defined at HQ`);
  return { register, store: activated.store, token, activatedAt, reactivated: activated.reactivated };
}

export function authenticateDevice(hq: HqStore, token: string): Promise<Device | undefined> {
  return hq.devices.authenticate(hashToken(token));
}

export async function recordOfflineStatus(
  hq: HqStore,
  device: Device,
  status: z.output<typeof offlineStatusBodySchema>,
  clock: Clock,
): Promise<{ register: string; receivedAt: string }> {
  const receivedAt = isoTime(clock.now());
  await hq.registerStatus.record(device, status, receivedAt);
  return { register: device.register, receivedAt };
}

export function listOfflineStatus(hq: HqStore): Promise<z.infer<typeof offlineStatusRowSchema>[]> {
  return hq.registerStatus.reported();
}
