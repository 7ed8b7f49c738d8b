// One translation table hierarchy under construction (a TTBR's or VTTBR's tree): walks down to a
// level creating missing tables, and reads or writes the entry an input address uses there. Table
// addresses are in the hierarchy's own address space (IPA for stage 1, PA for stage 2); `toPa`
// says where each table lives physically.

import type { PhysicalMemory } from "../memory.ts";
import { decodeDescriptorType, nextTableAddress } from "./descriptor.ts";
import { encodeTableDescriptor } from "./descriptor-encoding.ts";
import type { GranuleGeometry } from "./granule.ts";
import { levelShift } from "./granule.ts";
import { indexTopBit, ttEntryAddress } from "./table-walk.ts";

export interface TableTreeShape {
  readonly geometry: GranuleGeometry;
  readonly inputsize: number;
  readonly startlevel: number;
}

export interface TableAllocator {
  /** A zeroed table of `bytes` in the tree's address space. */
  allocateTable(bytes: bigint): bigint;
  /** Physical address of a table address (table pages are contiguous in both spaces). */
  toPa(tableAddress: bigint): bigint;
}

export class TableTree {
  private rootAddress: bigint;

  constructor(
    readonly shape: TableTreeShape,
    private readonly memory: PhysicalMemory,
    private readonly allocator: TableAllocator,
  ) {
    this.rootAddress = allocator.allocateTable(rootTableBytes(shape));
  }

  /** The start-level table (what the TTBR/VTTBR names). */
  get root(): bigint {
    return this.rootAddress;
  }

  /** The start-level table now lives at `address` (the builder moved it; its contents are the same). */
  moveRoot(address: bigint): void {
    this.rootAddress = address;
  }

  /** Address (tree space) of the table consulted at `level` for `input`, creating tables on the way. */
  tableAt(input: bigint, level: number, create: boolean): bigint {
    const { geometry, startlevel } = this.shape;
    if (level < startlevel || level > 3) throw new RangeError(`level ${level} outside ${startlevel}..3`);
    let table = this.root;
    for (let l = startlevel; l < level; l++) {
      const entry = this.entryAddress(table, input, l);
      const descriptor = this.memory.read(this.allocator.toPa(entry), 8);
      const type = decodeDescriptorType(descriptor, l);
      if (type === "Table") {
        table = nextTableAddress(descriptor, geometry);
        continue;
      }
      if (type !== "Invalid" || !create) {
        throw new Error(`no level-${level} table for 0x${input.toString(16)}: level-${l} entry is ${type}`);
      }
      const next = this.allocator.allocateTable(1n << BigInt(geometry.grainsize));
      this.memory.write(this.allocator.toPa(entry), 8, encodeTableDescriptor(next));
      table = next;
    }
    return table;
  }

  /** Physical address of the entry `input` uses at `level`. */
  entryPa(input: bigint, level: number, create: boolean): bigint {
    const table = this.tableAt(input, level, create);
    return this.allocator.toPa(this.entryAddress(table, input, level));
  }

  read(input: bigint, level: number): bigint {
    return this.memory.read(this.entryPa(input, level, false), 8);
  }

  /** Stores any descriptor, replacing whatever the entry held (holes, raw encodings). */
  write(input: bigint, level: number, descriptor: bigint): void {
    this.memory.write(this.entryPa(input, level, true), 8, descriptor);
  }

  /**
   * Stores a block or page. Replacing a table would orphan everything under it (including, at
   * stage 2, the mappings of stage-1 table pages), so that is refused.
   */
  writeLeaf(input: bigint, level: number, descriptor: bigint): void {
    const entry = this.entryPa(input, level, true);
    if (level < 3 && decodeDescriptorType(this.memory.read(entry, 8), level) === "Table") {
      throw new Error(`0x${input.toString(16)}: a level-${level} leaf would replace a table; map with smaller leaves`);
    }
    this.memory.write(entry, 8, descriptor);
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

  private entryAddress(table: bigint, input: bigint, level: number): bigint {
    const { geometry, startlevel, inputsize } = this.shape;
    return ttEntryAddress(table, geometry, level, input, indexTopBit(geometry, level, startlevel, inputsize));
  }
}

/** Bytes of the start-level table (concatenated pages at stage 2): 8 << (inputsize - levelShift). */
export function rootTableBytes(shape: TableTreeShape): bigint {
  const entriesLog2 = shape.inputsize - levelShift(shape.geometry, shape.startlevel);
  return 8n << BigInt(entriesLog2);
}
