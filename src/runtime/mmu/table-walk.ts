// Address arithmetic shared by the stage-1 and stage-2 walks (Arm ARM AArch64.TTBaseAddress,
// AArch64.TTEntryAddress) and the descriptor read itself (FetchDescriptor), on Numbers (see
// descriptor.ts) with bigint forms for the table builders.

import type { PhysicalMemory } from "../memory.ts";
import { bigintOfWords, low48Of } from "./bits.ts";
import { addressBitsOfWords } from "./descriptor.ts";
import { blockSizeOfLevel, levelShift, type GranuleGeometry } from "./granule.ts";

/**
 * AArch64.TTBaseAddress(): the start-level table address from a TTBR. The table is aligned to its
 * own size, 8 bytes per entry, so bits below that size are ignored (ARMv8.0 baselowerbound).
 */
export function ttBaseAddress(
  baseregister: bigint,
  geometry: GranuleGeometry,
  inputsize: number,
  startlevel: number,
): bigint {
  return BigInt(ttBaseAddressNumber(low48(baseregister), geometry, inputsize, startlevel));
}

/** ttBaseAddress() on Numbers, the walks' form: `baseaddress` is the register's bits 47:0 (exact: at most 48 bits). */
export function ttBaseAddressNumber(baseaddress: number, geometry: GranuleGeometry, inputsize: number, startlevel: number): number {
  const baselowerbound = 3 + inputsize - levelShift(geometry, startlevel);
  return addressBitsOfWords(baseaddress >>> 0, Math.floor(baseaddress / TWO_32), baselowerbound);
}

const TWO_32 = 2 ** 32;
// x >>> 0 is x mod 2^32 for an integer below 2^53 (ToUint32), which `x % TWO_32`, a floating-point
// remainder, costs a library call to give; likewise (x & 7) for x mod 8.

/** An address's low 48 bits (DESCRIPTOR_OA_TOP_BIT is 47) as a Number. */
export function low48(address: bigint): number {
  return low48Of(address);
}

/** An input address's bits 47:32, the high half of the walks' form of it (indexes never reach above bit 47), from its bits 47:0 (`in48`, low48). */
export function inputHigh(in48: number): number {
  return Math.floor(in48 / TWO_32);
}

/** An input address's bits 31:0, the low half of the walks' form of it, from its bits 47:0 (`in48`, low48). */
export function inputLow(in48: number): number {
  return in48 >>> 0;
}

/**
 * AArch64.TTEntryAddress(): descriptor address for `level`. The index covers input bits
 * [indexTop:levelShift]; at the start level indexTop is inputsize-1, below it the level's stride.
 */
export function ttEntryAddress(
  tablebase: bigint,
  geometry: GranuleGeometry,
  level: number,
  inputaddr: bigint,
  indexTop: number,
): bigint {
  const in48 = low48(inputaddr);
  return BigInt(ttEntryAddressNumber(Number(tablebase), geometry, level, inputHigh(in48), inputLow(in48), indexTop));
}

/**
 * ttEntryAddress() on Numbers, the input address as its bits 47:32 (`inHi`) and 31:0 (`inLo`):
 * `tablebase` (at most 48 bits) is aligned to its table's size, which the index never reaches,
 * so OR is addition. The index is at most 17 bits wide (a start table of 16 concatenated pages)
 * and starts at bit 12 or above.
 */
export function ttEntryAddressNumber(tablebase: number, geometry: GranuleGeometry, level: number, inHi: number, inLo: number, indexTop: number): number {
  const bottom = levelShift(geometry, level);
  const mask = (1 << (indexTop - bottom + 1)) - 1;
  const bits = bottom >= 32 ? inHi >>> (bottom - 32) : (inLo >>> bottom) | (inHi << (32 - bottom));
  return tablebase + (bits & mask) * 8;
}

/** The top input-address bit a level's index uses. */
export function indexTopBit(geometry: GranuleGeometry, level: number, startlevel: number, inputsize: number): number {
  return level === startlevel ? inputsize - 1 : levelShift(geometry, level) + geometry.stride - 1;
}

/** A fetched descriptor as the walks hold it: bits 31:0 and 63:32, each an unsigned Number. */
export interface DescriptorWords {
  lo: number;
  hi: number;
}

/**
 * FetchDescriptor(): one 64-bit descriptor at a PA (a Number, as the walks hold addresses) into
 * `into`, little-endian unless EE says otherwise; or false when the memory map backs no memory
 * there, which the walk reports as a synchronous External abort on the walk at the level it was
 * fetching (Fault_SyncExternalOnWalk).
 */
export function fetchDescriptorWords(memory: PhysicalMemory, pa: number, bigEndian: boolean, into: DescriptorWords): boolean {
  if (memory.map.backedRanges !== undefined && !memory.map.backsAt(pa, 8)) return false;
  // Both words from one page look-up (a descriptor's address is 8-byte aligned, as the walks make it).
  if ((pa & 7) === 0) memory.readUint32Pair(pa, into);
  else {
    into.lo = memory.readUint32(pa);
    into.hi = memory.readUint32(pa + 4);
  }
  if (bigEndian) {
    const first = into.lo;
    into.lo = byteSwap32(into.hi);
    into.hi = byteSwap32(first);
  }
  return true;
}

function byteSwap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** The 64-bit descriptor of its words. */
export function descriptorOfWords(words: DescriptorWords): bigint {
  return bigintOfWords(words.lo, words.hi);
}

/**
 * The leaf descriptor a walk (of either stage) reached, kept as the walk holds it (Numbers); the
 * bigint forms are made when asked: an AT's permission check and PAR read the Numbers, and a
 * BigInt made for each field of every walk cost as much as the walk.
 */
export class WalkLeaf {
  constructor(
    readonly level: number,
    /** The descriptor's bits 31:0 and 63:32 (unsigned). */
    readonly descriptorLow: number,
    readonly descriptorHigh: number,
    /** Where the descriptor lives, at most 48 bits. */
    protected readonly descriptorAddressNumber: number,
    /** The output address (at most 48 bits). */
    protected readonly outputAddressNumber: number,
    protected readonly geometry: GranuleGeometry,
  ) {}

  get descriptor(): bigint {
    return bigintOfWords(this.descriptorLow, this.descriptorHigh);
  }

  get descriptorAddress(): bigint {
    return BigInt(this.descriptorAddressNumber);
  }

  get blocksize(): bigint {
    return blockSizeOfLevel(this.geometry, this.level);
  }
}
