// Which physical addresses the machine's memory system answers: a fact of the machine, not of the
// translation table walker. A descriptor fetch from a PA no range backs gets an error response
// (a decode error on the interconnect), which the walk reports as a synchronous External abort on
// the translation table walk (Arm ARM AArch64.FetchDescriptor, Fault_SyncExternalOnWalk).
//
// The model's default map backs every address (any PA reads as memory, as before memory maps
// existed); a machine that states its RAM says so with a map of ranges.

export interface PhysicalRange {
  readonly base: bigint;
  readonly size: bigint;
  /** What lives there (for messages). */
  readonly name: string;
}

export class MemoryMap {
  /** Every PA is backed: no access ever meets an error response. */
  static readonly EVERYWHERE = new MemoryMap(undefined);

  /** The ranges' [base, end) as Numbers, lowest first, when every end is exact as one (below 2^53). */
  private readonly numberRanges: readonly number[] | undefined;

  private constructor(private readonly ranges: readonly PhysicalRange[] | undefined) {
    const exact = ranges !== undefined && ranges.every((r) => r.base + r.size <= 1n << 53n);
    this.numberRanges = exact ? ranges.flatMap((r) => [Number(r.base), Number(r.base + r.size)]) : undefined;
  }

  /** A map of these ranges (checked not to overlap); every other PA is outside memory. */
  static of(ranges: readonly PhysicalRange[]): MemoryMap {
    const sorted = [...ranges].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i];
      if (r.size <= 0n) throw new RangeError(`memory range ${r.name} is empty`);
      if (i > 0 && sorted[i - 1].base + sorted[i - 1].size > r.base) throw new RangeError(`memory ranges ${sorted[i - 1].name} and ${r.name} overlap`);
    }
    return new MemoryMap(sorted);
  }

  /** The ranges, lowest first; undefined when every PA is backed. */
  get backedRanges(): readonly PhysicalRange[] | undefined {
    return this.ranges;
  }

  /** Whether all of [pa, pa+bytes) lies inside one backed range. */
  backs(pa: bigint, bytes: bigint): boolean {
    if (this.ranges === undefined) return true;
    return this.ranges.some((r) => pa >= r.base && pa + bytes <= r.base + r.size);
  }

  /** backs() of a PA and size held as Numbers (the walk's descriptor fetch: every fetch asks). */
  backsAt(pa: number, bytes: number): boolean {
    const ranges = this.numberRanges;
    if (ranges === undefined) return this.backs(BigInt(pa), BigInt(bytes));
    for (let i = 0; i < ranges.length; i += 2) if (pa >= ranges[i] && pa + bytes <= ranges[i + 1]) return true;
    return false;
  }

  /**
   * The first page (4K) above every backed range: a PA where no memory lives for certain, for
   * set-ups that point a walk outside memory. Undefined when every PA is backed.
   */
  pageAboveMemory(): bigint | undefined {
    if (this.ranges === undefined) return undefined;
    const top = this.ranges.reduce((end, r) => (r.base + r.size > end ? r.base + r.size : end), 0n);
    return (top + 0xfffn) & ~0xfffn;
  }
}

/** Where the QEMU `virt` board puts RAM (hw/arm/virt.c, VIRT_MEM); its size is `-m`. */
export const QEMU_VIRT_RAM_BASE = 0x4000_0000n;
/** The `virt` board's flash: two 64 MiB banks from PA 0 (VIRT_FLASH). */
const QEMU_VIRT_FLASH: PhysicalRange = { base: 0n, size: 0x0800_0000n, name: "flash" };

/**
 * The `virt` board's memory: its flash and `ramBytes` of RAM. Device registers (GIC, UART,
 * virtio, PCIe windows) are not listed: they answer reads, but no set-up places tables there.
 */
export function qemuVirtMemoryMap(ramBytes: bigint): MemoryMap {
  return MemoryMap.of([QEMU_VIRT_FLASH, { base: QEMU_VIRT_RAM_BASE, size: ramBytes, name: "RAM" }]);
}
