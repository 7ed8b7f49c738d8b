// Memory attributes: MAIR decoding for stage 1 (Arm ARM AArch64.S1AttrDecode / S1DecodeMemAttrs),
// the attributes stage 1 gives when disabled (AArch64.TranslateAddressS1Off), the stage-2 MemAttr
// Device test HCR_EL2.PTW needs, and the shareability PAR_EL1 reports (EffectiveShareability).

import { fieldNumber } from "./bits.ts";

export type Shareability = "NSH" | "ISH" | "OSH";

export interface MemoryAttributes {
  readonly type: "Device" | "Normal";
  /**
   * The attribute in MAIR encoding as PAR_EL1.ATTR reports it: 0b0000dd00 for Device, outer:inner
   * nibbles for Normal. For MAIR reserved encodings it is the allocated value we map them to.
   */
  readonly attr: number;
  /** Inner and outer Non-cacheable (both nibbles 0b0100). */
  readonly nonCacheable: boolean;
  /** Shareability as programmed (descriptor SH or the S1-off default), before EffectiveShareability. */
  readonly shareability: Shareability;
}

const NORMAL_NC_NIBBLE = 0b0100;

/** MAIR attribute field `index` (Attr<n> = MAIR<8n+7:8n>). */
export function mairAttr(mair: bigint, index: number): number {
  return fieldNumber(mair, 8 * index + 7, 8 * index);
}

/**
 * Descriptor SH<1:0>: 00 Non-shareable, 10 Outer, 11 Inner. The reserved 01 is CONSTRAINED
 * UNPREDICTABLE; we take Non-shareable, one of the permitted behaviours.
 */
export function decodeShareability(sh: number): Shareability {
  if (sh === 0b10) return "OSH";
  if (sh === 0b11) return "ISH";
  return "NSH";
}

/**
 * AArch64.S1AttrDecode(): the MAIR attribute of a stage-1 leaf. Reserved encodings (a Device
 * attribute with bits[1:0] set, or a Normal one with a zero inner nibble) are CONSTRAINED
 * UNPREDICTABLE and must map to an allocated value: we clear the Device low bits, and read a zero
 * inner nibble as Inner Non-cacheable.
 */
export function s1DecodeMemAttrs(attrfield: number, sh: number): MemoryAttributes {
  // A function of an 8-bit attribute and a 2-bit SH: each answer made once (every stage-1 translation asks).
  if (!Number.isInteger(attrfield) || attrfield < 0 || attrfield > 0xff || !Number.isInteger(sh) || sh < 0 || sh > 3) return decodeMemAttrs(attrfield, sh);
  const index = attrfield * 4 + sh;
  let attrs = DECODED[index];
  if (attrs === undefined) DECODED[index] = attrs = Object.freeze(decodeMemAttrs(attrfield, sh));
  return attrs;
}

/** s1DecodeMemAttrs's answers by attrfield * 4 + SH. */
const DECODED: (MemoryAttributes | undefined)[] = new Array<MemoryAttributes | undefined>(256 * 4).fill(undefined);

function decodeMemAttrs(attrfield: number, sh: number): MemoryAttributes {
  const outer = attrfield >> 4;
  const inner = attrfield & 0xf;
  if (outer === 0) {
    return { type: "Device", attr: attrfield & 0b1100, nonCacheable: false, shareability: decodeShareability(sh) };
  }
  const innerAllocated = inner === 0 ? NORMAL_NC_NIBBLE : inner;
  return {
    type: "Normal",
    attr: (outer << 4) | innerAllocated,
    nonCacheable: outer === NORMAL_NC_NIBBLE && innerAllocated === NORMAL_NC_NIBBLE,
    shareability: decodeShareability(sh),
  };
}

/**
 * AArch64.TranslateAddressS1Off(): stage 1 disabled. With HCR_EL2.DC data and instructions are
 * Normal Write-Back RWA Non-shareable; otherwise data is Device-nGnRnE, and instruction fetches
 * are Normal, Write-Through if SCTLR_EL1.I else Non-cacheable, Outer Shareable.
 */
export function s1DisabledMemAttrs(ifetch: boolean, defaultCacheable: boolean, icache: boolean): MemoryAttributes {
  if (defaultCacheable) return { type: "Normal", attr: 0xff, nonCacheable: false, shareability: "NSH" };
  if (!ifetch) return { type: "Device", attr: 0x00, nonCacheable: false, shareability: "OSH" };
  if (icache) return { type: "Normal", attr: 0xaa, nonCacheable: false, shareability: "OSH" };
  return { type: "Normal", attr: 0x44, nonCacheable: true, shareability: "OSH" };
}

/** Stage-2 MemAttr<3:2> == 00 is Device memory (no FEAT_S2FWB). */
export function s2MemAttrIsDevice(memAttr: number): boolean {
  return (memAttr & 0b1100) === 0;
}

/**
 * EffectiveShareability(): Device and Normal Inner+Outer Non-cacheable memory are Outer Shareable
 * whatever the descriptor says; this is what PAR_EL1.SH must report (QEMU 7.2 reports the
 * descriptor's SH instead, see FACTS.md).
 */
export function effectiveShareability(attrs: MemoryAttributes): Shareability {
  if (attrs.type === "Device" || attrs.nonCacheable) return "OSH";
  return attrs.shareability;
}

/** The PAR_EL1.SH encoding of a shareability domain. */
export function encodeShareability(sh: Shareability): number {
  return sh === "ISH" ? 0b11 : sh === "OSH" ? 0b10 : 0b00;
}
