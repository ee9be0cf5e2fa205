// Hands out transaction numbers from blocks reserved durably in the local database (gap on crash, never a duplicate).

export interface NumberReserver {
  reserveNumbers(registerId: string, block: number): { first: number; last: number };
}

export function createNumberAllocator(reserver: NumberReserver, registerId: string, block = 50) {
  let next = 0;
  let last = -1;
  return {
    /** The next number; the reservation that covers it is committed before it is returned. */
    next(): number {
      if (next > last) {
        const reserved = reserver.reserveNumbers(registerId, block);
        next = reserved.first;
        last = reserved.last;
      }
      return next++;
    },
  };
}
export type NumberAllocator = ReturnType<typeof createNumberAllocator>;
