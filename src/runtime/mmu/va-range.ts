// Which half of the VA space an address belongs to, and whether it lies inside the configured
// input-address size (Arm ARM AddrTop, AArch64.GetVARange, AArch64.VAIsOutOfRange).

import { bitSet, isOnesField, isZeroField } from "./bits.ts";

export type VARange = "LOWER" | "UPPER";

/** AArch64.GetVARange(): bit 55 selects TTBR1 (upper) or TTBR0 (lower), whatever TBI says. */
export function getVARange(va: bigint): VARange {
  return bitSet(va, 55) ? "UPPER" : "LOWER";
}

/** AddrTop(): the highest address bit that takes part in translation (55 under Top Byte Ignore). */
export function addrTop(tbi: boolean): 55 | 63 {
  return tbi ? 55 : 63;
}

/**
 * AArch64.VAIsOutOfRange(): bits [top:inputsize] must all be 0 for the lower range, all 1 for the
 * upper range. An address that fails is a level-0 Translation fault (TranslationTableWalk:
 * "!basefound ... level = 0").
 */
export function vaIsOutOfRange(va: bigint, top: number, inputsize: number, range: VARange): boolean {
  return range === "LOWER" ? !isZeroField(va, top, inputsize) : !isOnesField(va, top, inputsize);
}
