// Sparse physical memory of the machine model: 4 KiB pages allocated on first write,
// little-endian accesses of 1, 2, 4 and 8 bytes. Unwritten memory reads as zero, as a
// freshly zeroed RAM does; the model never relies on that for architecturally UNKNOWN state.

const PAGE_SHIFT = 12n;
const PAGE_SIZE = 1 << 12;
const ADDRESS_MASK = (1n << 64n) - 1n;

export type AccessSize = 1 | 2 | 4 | 8;

export class PhysicalMemory {
  private readonly pages = new Map<bigint, Uint8Array>();

  /** Reads `size` bytes at `address`, little-endian, as an unsigned value. */
  read(address: bigint, size: AccessSize): bigint {
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) {
      value = (value << 8n) | BigInt(this.readByte((address + BigInt(i)) & ADDRESS_MASK));
    }
    return value;
  }

  /** Writes the low `size` bytes of `value` at `address`, little-endian. */
  write(address: bigint, size: AccessSize, value: bigint): void {
    let v = value;
    for (let i = 0; i < size; i++) {
      this.writeByte((address + BigInt(i)) & ADDRESS_MASK, Number(v & 0xffn));
      v >>= 8n;
    }
  }

  readByte(address: bigint): number {
    const page = this.pages.get(address >> PAGE_SHIFT);
    return page === undefined ? 0 : page[Number(address & BigInt(PAGE_SIZE - 1))];
  }

  writeByte(address: bigint, byte: number): void {
    const key = address >> PAGE_SHIFT;
    let page = this.pages.get(key);
    if (page === undefined) {
      page = new Uint8Array(PAGE_SIZE);
      this.pages.set(key, page);
    }
    page[Number(address & BigInt(PAGE_SIZE - 1))] = byte & 0xff;
  }

  /** An independent copy, so that a scenario can be run many times from the same start. */
  clone(): PhysicalMemory {
    const copy = new PhysicalMemory();
    for (const [key, page] of this.pages) copy.pages.set(key, page.slice());
    return copy;
  }
}
