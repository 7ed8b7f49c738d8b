// Address arithmetic shared by the stage-1 and stage-2 walks (Arm ARM AArch64.TTBaseAddress,
// AArch64.TTEntryAddress) and the descriptor read itself (FetchDescriptor).

import type { PhysicalMemory } from "../memory.ts";
import { field, reverseBytes64 } from "./bits.ts";
import { DESCRIPTOR_OA_TOP_BIT } from "./implementation.ts";
import type { GranuleGeometry } from "./granule.ts";
import { levelShift } from "./granule.ts";

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
  const baselowerbound = 3 + inputsize - levelShift(geometry, startlevel);
  return field(baseregister, DESCRIPTOR_OA_TOP_BIT, baselowerbound) << BigInt(baselowerbound);
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
  const bottom = levelShift(geometry, level);
  return tablebase | (field(inputaddr, indexTop, bottom) << 3n);
}

/** The top input-address bit a level's index uses. */
export function indexTopBit(geometry: GranuleGeometry, level: number, startlevel: number, inputsize: number): number {
  return level === startlevel ? inputsize - 1 : levelShift(geometry, level) + geometry.stride - 1;
}

/**
 * FetchDescriptor(): one 64-bit descriptor at a PA, little-endian unless EE says otherwise; or
 * undefined when the memory map backs no memory there, which the walk reports as a synchronous
 * External abort on the walk at the level it was fetching (Fault_SyncExternalOnWalk).
 */
export function fetchDescriptor(memory: PhysicalMemory, pa: bigint, bigEndian: boolean): bigint | undefined {
  if (!memory.map.backs(pa, 8n)) return undefined;
  const raw = memory.read(pa, 8);
  return bigEndian ? reverseBytes64(raw) : raw;
}
