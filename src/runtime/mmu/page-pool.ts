// A bump allocator over a window of physical memory, handing out naturally aligned, zeroed table
// memory to the table builder. Deterministic: the same requests give the same addresses.

import type { PhysicalMemory } from "../memory.ts";

export class PagePool {
  private next: bigint;

  constructor(
    private readonly memory: PhysicalMemory,
    readonly base: bigint,
    readonly limit: bigint,
  ) {
    this.next = base;
  }

  /** `bytes` of zeroed memory aligned to `alignment` (a power of two). */
  allocate(bytes: bigint, alignment: bigint): bigint {
    const start = (this.next + alignment - 1n) & ~(alignment - 1n);
    const end = start + bytes;
    if (end > this.limit) {
      throw new RangeError(`page pool [${hex(this.base)}, ${hex(this.limit)}) exhausted`);
    }
    this.memory.fill(start, bytes, 0);
    this.next = end;
    return start;
  }
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}
