// VMSAv8-64 translation table descriptors: classification and the fields the walker reads
// (Arm ARM AArch64.DecodeDescriptorType and the descriptor format tables, ARMv8.0 without LPA).

import { isZeroField } from "./bits.ts";
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
  return descriptorTypeOfLowWord(Number(descriptor & 3n), level);
}

// The walk reads each descriptor as two 32-bit words held as Numbers (lo: bits 31:0, hi: bits
// 63:32) and addresses as Numbers of at most 48 bits, all exact (below 2^53): a walk fetches up
// to 24 descriptors, and BigInt arithmetic on each cost most of an AT. The bigint forms of the
// helpers here derive from these.

/** decodeDescriptorType() of a descriptor whose low word is `lo`. */
export function descriptorTypeOfLowWord(lo: number, level: number): DescriptorType {
  if ((lo & 1) === 0) return "Invalid";
  if ((lo & 2) === 0) return level === 3 ? "Invalid" : "Block";
  return level === 3 ? "Page" : "Table";
}

const TWO_32 = 2 ** 32;
/** POW2[n] = 2^n, 0 <= n <= 64. */
const POW2: readonly number[] = Array.from({ length: 65 }, (_, n) => 2 ** n);

/** descriptor<47:shift> << shift (0 <= shift <= 47), as a Number (exact: at most 48 bits). */
export function addressBitsOfWords(lo: number, hi: number, shift: number): number {
  if (shift >= 32) return (((hi & 0xffff) >>> (shift - 32)) << (shift - 32)) * TWO_32;
  return (hi & 0xffff) * TWO_32 + (((lo >>> shift) << shift) >>> 0);
}

/** oaOutOfRange() of an address held as a Number of at most 48 bits. */
export function oaNumberOutOfRange(address: number, outputsize: number): boolean {
  return outputsize <= DESCRIPTOR_OA_TOP_BIT && address >= POW2[outputsize];
}

/** input<n-1:0> for an input address held as its bits 47:32 (`inHi`) and 31:0 (`inLo`), 0 < n <= 48. */
export function lowBitsOfInput(inHi: number, inLo: number, n: number): number {
  if (n >= 32) return (inHi & (POW2[n - 32] - 1)) * TWO_32 + (inLo >>> 0);
  return (inLo & (POW2[n] - 1)) >>> 0;
}

/** A block below firstblocklevel (e.g. level 0 with 4K) is a Translation fault at that level. */
export function blockAllowedAtLevel(geometry: GranuleGeometry, level: number): boolean {
  return level >= geometry.firstblocklevel;
}

/** Next-level table address: descriptor<47:grainsize>, granule aligned. */
export function nextTableAddress(descriptor: bigint, geometry: GranuleGeometry): bigint {
  return BigInt(addressBitsOfWords(Number(descriptor & 0xffffffffn), Number((descriptor >> 32n) & 0xffffffffn), geometry.grainsize));
}

/** Output address of a block/page: descriptor<47:shift> joined with the input's low bits. */
export function leafOutputAddress(
  descriptor: bigint,
  geometry: GranuleGeometry,
  level: number,
  inputaddr: bigint,
): bigint {
  return BigInt(leafOutputAddressOfWords(Number(descriptor & 0xffffffffn), Number((descriptor >> 32n) & 0xffffffffn), geometry, level, Number((inputaddr >> 32n) & 0xffffn), Number(inputaddr & 0xffffffffn)));
}

/** leafOutputAddress() of a descriptor's words and the input address's bits 47:32 and 31:0. */
export function leafOutputAddressOfWords(lo: number, hi: number, geometry: GranuleGeometry, level: number, inHi: number, inLo: number): number {
  const shift = levelShift(geometry, level);
  return addressBitsOfWords(lo, hi, shift) + lowBitsOfInput(inHi, inLo, shift);
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
  return accessFlagOfLowWord(Number(descriptor & 0x400n));
}

/** accessFlag() of a descriptor whose low word is `lo`. */
export function accessFlagOfLowWord(lo: number): boolean {
  return (lo & 0x400) !== 0;
}

/** Shareability, descriptor<9:8>, at either stage. */
export function shareabilityField(descriptor: bigint): number {
  return shareabilityOfLowWord(lowWord(descriptor));
}

/** shareabilityField() of a descriptor whose low word is `lo`. */
export function shareabilityOfLowWord(lo: number): number {
  return (lo >>> 8) & 3;
}

/** A descriptor's bits 31:0 and 63:32 as unsigned Numbers (the walks' form of it). */
function lowWord(d: bigint): number {
  return Number(d & 0xffffffffn);
}

function highWord(d: bigint): number {
  return Number((d >> 32n) & 0xffffffffn);
}

/** Stage-1 block/page attribute fields of a descriptor's low word (lo, bits 31:0) and high word (hi, bits 63:32). */
export const S1LeafWords = {
  attrIndx: (lo: number): number => (lo >>> 2) & 0b111,
  /** AP[2:1] as a two-bit number: bit 1 is AP[2] (read-only), bit 0 is AP[1] (EL0 access). */
  ap: (lo: number): number => (lo >>> 6) & 0b11,
  /** PXN, bit 53. */
  pxn: (hi: number): boolean => ((hi >>> 21) & 1) === 1,
  /** UXN, bit 54. */
  uxn: (hi: number): boolean => ((hi >>> 22) & 1) === 1,
} as const;

/** Stage-1 block/page attribute fields. */
export const S1Leaf = {
  attrIndx: (d: bigint): number => S1LeafWords.attrIndx(lowWord(d)),
  ap: (d: bigint): number => S1LeafWords.ap(lowWord(d)),
  pxn: (d: bigint): boolean => S1LeafWords.pxn(highWord(d)),
  uxn: (d: bigint): boolean => S1LeafWords.uxn(highWord(d)),
} as const;

/** Stage-1 table descriptor hierarchical attributes, from the descriptor's high word (bits 63:32). */
export const S1TableHighWord = {
  pxnTable: (hi: number): boolean => ((hi >>> 27) & 1) === 1,
  uxnTable: (hi: number): boolean => ((hi >>> 28) & 1) === 1,
  /** APTable as a two-bit number: bit 1 forces read-only, bit 0 forbids EL0 access. */
  apTable: (hi: number): number => (hi >>> 29) & 3,
} as const;

/** Stage-1 table descriptor hierarchical attributes (bits 59, 60 and 62:61). */
export const S1Table = {
  pxnTable: (d: bigint): boolean => S1TableHighWord.pxnTable(Number(d >> 32n)),
  uxnTable: (d: bigint): boolean => S1TableHighWord.uxnTable(Number(d >> 32n)),
  apTable: (d: bigint): number => S1TableHighWord.apTable(Number(d >> 32n)),
} as const;

/** Stage-2 block/page attribute fields of a descriptor's low word (lo) and high word (hi). */
export const S2LeafWords = {
  memAttr: (lo: number): number => (lo >>> 2) & 0b1111,
  /** S2AP: bit 0 grants read, bit 1 grants write. */
  s2ap: (lo: number): number => (lo >>> 6) & 0b11,
  /** XN, bit 54. */
  xn: (hi: number): boolean => ((hi >>> 22) & 1) === 1,
} as const;

/** Stage-2 block/page attribute fields. */
export const S2Leaf = {
  memAttr: (d: bigint): number => S2LeafWords.memAttr(lowWord(d)),
  s2ap: (d: bigint): number => S2LeafWords.s2ap(lowWord(d)),
  xn: (d: bigint): boolean => S2LeafWords.xn(highWord(d)),
} as const;
