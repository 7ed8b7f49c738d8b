// A bump allocator over a window of physical memory, handing out naturally aligned, zeroed table
// memory to the table builder. Deterministic: the same requests give the same addresses. The
// builder keeps table addresses as Numbers (at most 48 bits, exact), so the pool hands them out so.

import type { PhysicalMemory } from "../memory.ts";

export class PagePool {
  private next: number;
  private readonly limitNumber: number;

  constructor(
    private readonly memory: PhysicalMemory,
    readonly base: bigint,
    readonly limit: bigint,
  ) {
    if (limit > 1n << 48n) throw new RangeError(`page pool [${hex(base)}, ${hex(limit)}) reaches beyond 48-bit addresses`);
    this.next = Number(base);
    this.limitNumber = Number(limit);
  }

  /** A pool over `memory` (a copy of this one's memory) that hands out what this one would next. */
  copyFor(memory: PhysicalMemory): PagePool {
    const pool = new PagePool(memory, this.base, this.limit);
    pool.next = this.next;
    return pool;
  }

  /** `bytes` of zeroed memory aligned to `alignment` (a power of two). */
  allocate(bytes: number, alignment: number): number {
    const start = Math.ceil(this.next / alignment) * alignment;
    const end = start + bytes;
    if (end > this.limitNumber) {
      throw new RangeError(`page pool [${hex(this.base)}, ${hex(this.limit)}) exhausted`);
    }
    this.memory.fillAt(start, bytes, 0);
    this.next = end;
    return start;
  }
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}
