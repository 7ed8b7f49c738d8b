// One translation table hierarchy under construction (a TTBR's or VTTBR's tree): walks down to a
// level creating missing tables, and reads or writes the entry an input address uses there. Table
// addresses are in the hierarchy's own address space (IPA for stage 1, PA for stage 2); `toPa`
// says where each table lives physically. Inside, table and entry addresses are Numbers (exact:
// at most 48 bits) and descriptors are read as two 32-bit words, as the walks do (table-walk.ts):
// every set-up builds its tables afresh, and BigInt steps per level cost most of a build.

import type { PhysicalMemory } from "../memory.ts";
import { addressBitsOfWords, decodeDescriptorType, descriptorTypeOfLowWord } from "./descriptor.ts";
import { encodeTableDescriptor } from "./descriptor-encoding.ts";
import type { GranuleGeometry } from "./granule.ts";
import { levelShift } from "./granule.ts";
import { indexTopBit, inputHigh, inputLow, low48, ttEntryAddressNumber } from "./table-walk.ts";

export interface TableTreeShape {
  readonly geometry: GranuleGeometry;
  readonly inputsize: number;
  readonly startlevel: number;
}

/** Table memory for a tree, addresses as Numbers of at most 48 bits. */
export interface TableAllocator {
  /** A zeroed table of `bytes` in the tree's address space. */
  allocateTable(bytes: number): number;
  /** Physical address of a table address (table pages are contiguous in both spaces). */
  toPa(tableAddress: number): number;
}

export class TableTree {
  private rootAddress: number;

  /** @param root the start-level table already there (a copy of a tree, in a copy of its memory); default: allocated. */
  constructor(
    readonly shape: TableTreeShape,
    private readonly memory: PhysicalMemory,
    private readonly allocator: TableAllocator,
    root?: bigint,
  ) {
    this.rootAddress = root !== undefined ? Number(root) : allocator.allocateTable(Number(rootTableBytes(shape)));
  }

  /** The start-level table (what the TTBR/VTTBR names). */
  get root(): bigint {
    return BigInt(this.rootAddress);
  }

  /** The start-level table now lives at `address` (the builder moved it; its contents are the same). */
  moveRoot(address: bigint): void {
    this.rootAddress = Number(address);
  }

  /** Address (tree space) of the table consulted at `level` for `input`, creating tables on the way. */
  tableAt(input: bigint, level: number, create: boolean): bigint {
    const in48 = low48(input);
    return BigInt(this.tableNumberAt(input, inputHigh(in48), inputLow(in48), level, create));
  }

  /** tableAt() with the input also as its bits 47:32 (`inHi`) and 31:0 (`inLo`), the address a Number. */
  private tableNumberAt(input: bigint, inHi: number, inLo: number, level: number, create: boolean): number {
    const { geometry, startlevel } = this.shape;
    if (level < startlevel || level > 3) throw new RangeError(`level ${level} outside ${startlevel}..3`);
    let table = this.rootAddress;
    for (let l = startlevel; l < level; l++) {
      const entry = this.allocator.toPa(this.entryAddress(table, inHi, inLo, l));
      const lo = this.memory.readUint32(entry);
      const type = descriptorTypeOfLowWord(lo, l);
      if (type === "Table") {
        table = addressBitsOfWords(lo, this.memory.readUint32(entry + 4), geometry.grainsize);
        continue;
      }
      if (type !== "Invalid" || !create) {
        throw new Error(`no level-${level} table for 0x${input.toString(16)}: level-${l} entry is ${type}`);
      }
      const next = this.allocator.allocateTable(2 ** geometry.grainsize);
      this.memory.writeAt(entry, 8, encodeTableDescriptor(BigInt(next)));
      table = next;
    }
    return table;
  }

  /** Physical address of the entry `input` uses at `level`. */
  entryPa(input: bigint, level: number, create: boolean): bigint {
    return BigInt(this.entryPaNumber(input, level, create));
  }

  /** entryPa() as a Number (at most 48 bits). */
  private entryPaNumber(input: bigint, level: number, create: boolean): number {
    const in48 = low48(input);
    const inHi = inputHigh(in48);
    const inLo = inputLow(in48);
    const table = this.tableNumberAt(input, inHi, inLo, level, create);
    return this.allocator.toPa(this.entryAddress(table, inHi, inLo, level));
  }

  read(input: bigint, level: number): bigint {
    return this.memory.readAt(this.entryPaNumber(input, level, false), 8);
  }

  /** Stores any descriptor, replacing whatever the entry held (holes, raw encodings). */
  write(input: bigint, level: number, descriptor: bigint): void {
    this.memory.writeAt(this.entryPaNumber(input, level, true), 8, descriptor);
  }

  /**
   * Stores a block or page. Replacing a table would orphan everything under it (including, at
   * stage 2, the mappings of stage-1 table pages), so that is refused.
   */
  writeLeaf(input: bigint, level: number, descriptor: bigint): void {
    const entry = this.entryPaNumber(input, level, true);
    if (level < 3 && descriptorTypeOfLowWord(this.memory.readUint32(entry), level) === "Table") {
      throw new Error(`0x${input.toString(16)}: a level-${level} leaf would replace a table; map with smaller leaves`);
    }
    this.memory.writeAt(entry, 8, descriptor);
  }

  /** The level of the leaf (block or page) that maps `input`, or undefined for a hole. */
  leafLevel(input: bigint): number | undefined {
    for (let level = this.shape.startlevel; level <= 3; level++) {
      const type = decodeDescriptorType(this.read(input, level), level);
      if (type === "Invalid") return undefined;
      if (type !== "Table") return level;
    }
    return undefined;
  }

  private entryAddress(table: number, inHi: number, inLo: number, level: number): number {
    const { geometry, startlevel, inputsize } = this.shape;
    return ttEntryAddressNumber(table, geometry, level, inHi, inLo, indexTopBit(geometry, level, startlevel, inputsize));
  }
}

/** Bytes of the start-level table (concatenated pages at stage 2): 8 << (inputsize - levelShift). */
export function rootTableBytes(shape: TableTreeShape): bigint {
  const entriesLog2 = shape.inputsize - levelShift(shape.geometry, shape.startlevel);
  return 8n << BigInt(entriesLog2);
}
