// Encoding of descriptors from named attributes, for the table builder (the inverse of the fields
// descriptor.ts reads). Defaults describe ordinary kernel memory: EL1 read/write, AF set, Normal
// Write-Back Inner Shareable.

import { bitSet, field, fieldNumber } from "./bits.ts";
import { DESCRIPTOR_OA_TOP_BIT } from "./implementation.ts";

/** AP[2:1] values. */
export const AP = { RW_EL1: 0b00, RW_ALL: 0b01, RO_EL1: 0b10, RO_ALL: 0b11 } as const;
/** S2AP values: bit 0 read, bit 1 write. */
export const S2AP = { NONE: 0b00, READ_ONLY: 0b01, WRITE_ONLY: 0b10, READ_WRITE: 0b11 } as const;
/** SH[1:0] values. */
export const SH = { NON_SHAREABLE: 0b00, OUTER: 0b10, INNER: 0b11 } as const;
/** Stage-2 MemAttr[3:0] values (no FEAT_S2FWB). */
export const S2_MEMATTR = { DEVICE_nGnRE: 0b0001, NORMAL_NC: 0b0101, NORMAL_WB: 0b1111 } as const;

export interface Stage1LeafAttributes {
  /** AP[2:1]; see AP. */
  readonly ap: number;
  readonly af: boolean;
  readonly attrIndx: number;
  readonly sh: number;
  readonly pxn: boolean;
  readonly uxn: boolean;
  readonly nG: boolean;
}

export interface Stage2LeafAttributes {
  readonly s2ap: number;
  readonly af: boolean;
  readonly memAttr: number;
  readonly sh: number;
  readonly xn: boolean;
}

export interface TableDescriptorAttributes {
  /** APTable; bit 1 forces read-only, bit 0 forbids EL0. */
  readonly apTable: number;
  readonly pxnTable: boolean;
  readonly uxnTable: boolean;
}

export const DEFAULT_STAGE1_LEAF: Stage1LeafAttributes = {
  ap: AP.RW_EL1,
  af: true,
  attrIndx: 0,
  sh: SH.INNER,
  pxn: false,
  uxn: true,
  nG: false,
};

export const DEFAULT_STAGE2_LEAF: Stage2LeafAttributes = {
  s2ap: S2AP.READ_WRITE,
  af: true,
  memAttr: S2_MEMATTR.NORMAL_WB,
  sh: SH.INNER,
  xn: false,
};

function flag(value: boolean, bit: number): bigint {
  return value ? 1n << BigInt(bit) : 0n;
}

function addressBits(address: bigint, lowBit: number): bigint {
  return field(address, DESCRIPTOR_OA_TOP_BIT, lowBit) << BigInt(lowBit);
}

/** Bits[1:0]: 0b01 for a block, 0b11 for a page (level 3). */
function leafTypeBits(level: number): bigint {
  return level === 3 ? 0b11n : 0b01n;
}

export function encodeTableDescriptor(nextTable: bigint, attrs?: TableDescriptorAttributes): bigint {
  const a = attrs ?? { apTable: 0, pxnTable: false, uxnTable: false };
  return (
    addressBits(nextTable, 12) |
    0b11n |
    flag(a.pxnTable, 59) |
    flag(a.uxnTable, 60) |
    (BigInt(a.apTable & 0b11) << 61n)
  );
}

export function encodeStage1Leaf(oa: bigint, level: number, a: Stage1LeafAttributes): bigint {
  return (
    addressBits(oa, 12) |
    leafTypeBits(level) |
    (BigInt(a.attrIndx & 0b111) << 2n) |
    (BigInt(a.ap & 0b11) << 6n) |
    (BigInt(a.sh & 0b11) << 8n) |
    flag(a.af, 10) |
    flag(a.nG, 11) |
    flag(a.pxn, 53) |
    flag(a.uxn, 54)
  );
}

export function decodeStage1LeafAttributes(d: bigint): Stage1LeafAttributes {
  return {
    attrIndx: fieldNumber(d, 4, 2),
    ap: fieldNumber(d, 7, 6),
    sh: fieldNumber(d, 9, 8),
    af: bitSet(d, 10),
    nG: bitSet(d, 11),
    pxn: bitSet(d, 53),
    uxn: bitSet(d, 54),
  };
}

export function encodeStage2Leaf(oa: bigint, level: number, a: Stage2LeafAttributes): bigint {
  return (
    addressBits(oa, 12) |
    leafTypeBits(level) |
    (BigInt(a.memAttr & 0xf) << 2n) |
    (BigInt(a.s2ap & 0b11) << 6n) |
    (BigInt(a.sh & 0b11) << 8n) |
    flag(a.af, 10) |
    flag(a.xn, 54)
  );
}

export function decodeStage2LeafAttributes(d: bigint): Stage2LeafAttributes {
  return {
    memAttr: fieldNumber(d, 5, 2),
    s2ap: fieldNumber(d, 7, 6),
    sh: fieldNumber(d, 9, 8),
    af: bitSet(d, 10),
    xn: bitSet(d, 54),
  };
}

/** The output address a leaf holds, bits [47:levelShift]. */
export function leafAddress(d: bigint, shift: number): bigint {
  return addressBits(d, shift);
}
