// Hands out transaction numbers from blocks reserved durably in the local database (gap on crash, never a duplicate).
import type { HighWaterMark } from "./high-water.js";

export interface NumberReserver {
  reserveNumbers(
    registerId: string,
    block: number,
    options?: { floor?: number; pid?: number; beforeCommit?: (last: number) => void },
  ): { first: number; last: number };
  releaseNumbers?(registerId: string, next: number, last: number, now: string): { reservedTo: number };
}

export interface NumberAllocatorOptions {
  block?: number;
  /** Kept outside the database: reservations never start below it, and it is raised before each one commits. */
  highWater?: HighWaterMark;
}

export function createNumberAllocator(
  reserver: NumberReserver,
  registerId: string,
  options: NumberAllocatorOptions = {},
) {
  const block = options.block ?? 50;
  const highWater = options.highWater;
  let next = 0;
  let last = -1;
  return {
    /** The next number; the reservation that covers it is committed before it is returned. */
    next(): number {
      if (next > last) {
        const floor = highWater?.read() ?? 0;
        const reserved = reserver.reserveNumbers(registerId, block, {
          floor,
          pid: process.pid,
          ...(highWater ? { beforeCommit: (end: number) => highWater.write(Math.max(end, floor)) } : {}),
        });
        next = reserved.first;
        last = reserved.last;
      }
      return next++;
    },

    /** A clean exit: the numbers of the block nobody used go back, so the next process continues without a gap. */
    release(now: string): void {
      if (next > last || !reserver.releaseNumbers) return;
      const { reservedTo } = reserver.releaseNumbers(registerId, next, last, now);
      if (highWater && highWater.read() === last && reservedTo < last) highWater.write(reservedTo);
      next = 0;
      last = -1;
    },
  };
}
export type NumberAllocator = ReturnType<typeof createNumberAllocator>;
