// Tax per line by tax group: round_half_up(line amount × rate) to the minor unit (SPEC §4.3).

/** Tax rates are parts per million (10.35% = 103,500) so tax stays integer arithmetic. */
export const PPM = 1_000_000;

import { divRoundHalfUp } from "./money.js";

export function lineTax(amountMinor: number, ratePpm: number): number {
  return divRoundHalfUp(amountMinor * ratePpm, PPM);
}

/** Percent as people write it (10.35) → ppm (103500). */
export function percentToPpm(percent: number): number {
  return Math.round(percent * 10_000);
}

export function ppmToPercent(ppm: number): number {
  return ppm / 10_000;
}
