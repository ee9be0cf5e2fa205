// The sale screen's status header (SPEC §6): who and where, the connection mode, pending uploads, last sync.
import type { ChalkInstance } from "chalk";
import { ago, type ModeName, modeBadge } from "./format.js";

export interface HeaderData {
  register: string;
  store: string;
  storeName?: string | null;
  staff: { id: string; name: string } | null;
  mode: ModeName;
  pending: number;
  /** Sales whose checkout answer was lost: sent again before the next sale. */
  inDoubt?: number;
  lastSync: { kind: "download" | "upload"; result: string; ageMs: number } | null;
  /** Caption of the operation 917 button, shown so the cashier knows what typing 917 will do. */
  button?: "Disconnect" | "Connect";
}

/** Two lines: identity, then state; a rule under them separates the header from the screen below. */
export function renderHeader(data: HeaderData, color: ChalkInstance, width = 80): string {
  const sep = color.dim(" │ ");
  const store = data.storeName ? `${data.storeName} (${data.store})` : data.store;
  const staff = data.staff ? `${data.staff.name} (${data.staff.id})` : color.dim("not signed in");
  const identity = [`register ${color.bold(data.register)}`, `store ${store}`, `staff ${staff}`].join(sep);
  const pending =
    data.pending === 0 ? "pending uploads 0" : color.yellow(`pending uploads ${data.pending.toLocaleString("en-US")}`);
  const state = [modeBadge(data.mode, color), pending];
  if (data.inDoubt) state.push(color.red(`IN DOUBT ${data.inDoubt}`));
  state.push(`last sync ${lastSync(data.lastSync, color)}`);
  if (data.button) state.push(`917: ${data.button}`);
  return [identity, state.join(sep), color.dim("─".repeat(Math.max(20, Math.min(width, 120))))].join("\n");
}

function lastSync(sync: HeaderData["lastSync"], color: ChalkInstance): string {
  if (!sync) return color.dim("never");
  const result = sync.result === "failed" ? color.red("failed") : sync.result;
  return `${sync.kind} ${result}, ${ago(sync.ageMs)}`;
}
