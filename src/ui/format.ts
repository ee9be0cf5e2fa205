// Small rendering pieces shared by the screens: mode badge, ages, widths of text that may carry colour codes.
import { stripVTControlCharacters } from "node:util";
import type { ChalkInstance } from "chalk";
import stringWidth from "string-width";
import { formatAge } from "../lib/clock.js";

export type ModeName = "online" | "offline-auto" | "offline-manual";

/** ONLINE in green, OFFLINE (auto|manual) in yellow: the one thing a cashier must see at a glance. */
export function modeBadge(mode: ModeName, color: ChalkInstance): string {
  if (mode === "online") return color.bold.green("ONLINE");
  return color.bold.yellow(`OFFLINE (${mode === "offline-auto" ? "auto" : "manual"})`);
}

/** `3m 5s ago`, or `just now` under a second. */
export function ago(ms: number): string {
  return ms < 1000 ? "just now" : `${formatAge(ms)} ago`;
}

/** Bytes for people: `512 B`, `1.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** Columns a string takes on a terminal, colour codes excluded; wide (CJK) characters count two. */
export function visibleWidth(text: string): number {
  return stringWidth(text);
}

export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleWidth(text)));
}

export function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleWidth(text))) + text;
}

/** Label/value lines with the labels aligned: `label   value`. */
export function renderPairs(pairs: ReadonlyArray<readonly [string, string]>, color: ChalkInstance, indent = 2): string {
  const width = Math.max(0, ...pairs.map(([label]) => visibleWidth(label)));
  return pairs.map(([label, value]) => `${" ".repeat(indent)}${color.dim(padEnd(label, width))}  ${value}`).join("\n");
}
