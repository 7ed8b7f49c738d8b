// VMSAv8-64 translation table descriptors: classification and the fields the walker reads
// (Arm ARM AArch64.DecodeDescriptorType and the descriptor format tables, ARMv8.0 without LPA).

import { bitSet, field, fieldNumber, isZeroField } from "./bits.ts";
import { DESCRIPTOR_OA_TOP_BIT } from "./implementation.ts";
import type { GranuleGeometry } from "./granule.ts";
import { levelShift } from "./granule.ts";

export type DescriptorType = "Invalid" | "Table" | "Block" | "Page";

/**
 * AArch64.DecodeDescriptorType(): bit 0 clear is Invalid; 0b01 is a Block (Invalid at level 3,
 * where the encoding is reserved); 0b11 is a Table, or a Page at level 3. Whether a block is
 * allowed at its level is a separate check (blockAllowedAtLevel).
 */
export function decodeDescriptorType(descriptor: bigint, level: number): DescriptorType {
  if (!bitSet(descriptor, 0)) return "Invalid";
  if (!bitSet(descriptor, 1)) return level === 3 ? "Invalid" : "Block";
  return level === 3 ? "Page" : "Table";
}

/** A block below firstblocklevel (e.g. level 0 with 4K) is a Translation fault at that level. */
export function blockAllowedAtLevel(geometry: GranuleGeometry, level: number): boolean {
  return level >= geometry.firstblocklevel;
}

/** Next-level table address: descriptor<47:grainsize>, granule aligned. */
export function nextTableAddress(descriptor: bigint, geometry: GranuleGeometry): bigint {
  return field(descriptor, DESCRIPTOR_OA_TOP_BIT, geometry.grainsize) << BigInt(geometry.grainsize);
}

/** Output address of a block/page: descriptor<47:shift> joined with the input's low bits. */
export function leafOutputAddress(
  descriptor: bigint,
  geometry: GranuleGeometry,
  level: number,
  inputaddr: bigint,
): bigint {
  const shift = levelShift(geometry, level);
  return (field(descriptor, DESCRIPTOR_OA_TOP_BIT, shift) << BigInt(shift)) | field(inputaddr, shift - 1, 0);
}

/**
 * AArch64.OAOutOfRange(): an address with bits set in [47:outputsize] is an Address size fault.
 * Descriptor bits above 47 are attributes, not address, without FEAT_LPA.
 */
export function oaOutOfRange(address: bigint, outputsize: number): boolean {
  return outputsize <= DESCRIPTOR_OA_TOP_BIT && !isZeroField(address, DESCRIPTOR_OA_TOP_BIT, outputsize);
}

/** The access flag, descriptor<10>, of a block or page at either stage. */
export function accessFlag(descriptor: bigint): boolean {
  return bitSet(descriptor, 10);
}

/** Shareability, descriptor<9:8>, at either stage. */
export function shareabilityField(descriptor: bigint): number {
  return fieldNumber(descriptor, 9, 8);
}

/** Stage-1 block/page attribute fields. */
export const S1Leaf = {
  attrIndx: (d: bigint): number => fieldNumber(d, 4, 2),
  /** AP[2:1] as a two-bit number: bit 1 is AP[2] (read-only), bit 0 is AP[1] (EL0 access). */
  ap: (d: bigint): number => fieldNumber(d, 7, 6),
  pxn: (d: bigint): boolean => bitSet(d, 53),
  uxn: (d: bigint): boolean => bitSet(d, 54),
} as const;

/** Stage-1 table descriptor hierarchical attributes. */
export const S1Table = {
  pxnTable: (d: bigint): boolean => bitSet(d, 59),
  uxnTable: (d: bigint): boolean => bitSet(d, 60),
  /** APTable as a two-bit number: bit 1 forces read-only, bit 0 forbids EL0 access. */
  apTable: (d: bigint): number => fieldNumber(d, 62, 61),
} as const;

/** Stage-2 block/page attribute fields. */
export const S2Leaf = {
  memAttr: (d: bigint): number => fieldNumber(d, 5, 2),
  /** S2AP: bit 0 grants read, bit 1 grants write. */
  s2ap: (d: bigint): number => fieldNumber(d, 7, 6),
  xn: (d: bigint): boolean => bitSet(d, 54),
} as const;
