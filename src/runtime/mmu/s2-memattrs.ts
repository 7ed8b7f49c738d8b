// Stage-2 memory attributes and how they combine with stage 1's (Arm ARM S2DecodeMemAttrs,
// S2CombineS1MemAttrs, S2CombineS1Device, S2CombineS1AttrHints, S2CombineS1Shareability), for
// the PAR_EL1 of a two-stage AT (AT S12E1R/W, S12E0R/W). ARMv8.0: no FEAT_S2FWB, no HCR_EL2.CD.
//
// Attributes are kept in the MAIR encoding PAR_EL1.ATTR reports (memattrs.ts): Device is
// 0b0000dd00 (dd: 00 nGnRnE, 01 nGnRE, 10 nGRE, 11 GRE), Normal is outer:inner nibbles, each
// 0b0100 Non-cacheable, 0b00RW / 0b10RW Write-Through (transient / not), 0b01RW / 0b11RW Write-Back.

import { decodeShareability, s2MemAttrIsDevice, type MemoryAttributes, type Shareability } from "./memattrs.ts";

type Cacheability = "NC" | "WT" | "WB";

const NC_NIBBLE = 0b0100;

/** The cacheability of a stage-1 (MAIR) Normal nibble. */
function mairCacheability(nibble: number): Cacheability {
  if (nibble === NC_NIBBLE) return "NC";
  const top = nibble >> 2;
  return top === 0b00 || top === 0b10 ? "WT" : "WB";
}

/**
 * S2DecodeCacheability(): stage-2 MemAttr<3:2> (outer) or <1:0> (inner) of Normal memory: 01
 * Non-cacheable, 10 Write-Through, 11 Write-Back. The inner 00 is reserved (CONSTRAINED
 * UNPREDICTABLE); we read it as Non-cacheable, as the stage-1 decoding reads a zero inner nibble.
 */
function s2Cacheability(bits: number): Cacheability {
  return bits === 0b11 ? "WB" : bits === 0b10 ? "WT" : "NC";
}

/** Stage-2 attributes: the descriptor's MemAttr<3:0> and SH<1:0>. */
export interface Stage2Attributes {
  readonly memAttr: number;
  readonly sh: number;
}

/**
 * S2CombineS1AttrHints(): NC if either stage says NC, else WT if either says WT, else WB. Stage 2
 * has no allocation hints: a cacheable result keeps stage 1's hints and transient bit.
 */
function combineNibble(s1: number, s2: Cacheability): number {
  const s1c = mairCacheability(s1);
  if (s1c === "NC" || s2 === "NC") return NC_NIBBLE;
  if (s1c === "WT" || s2 === "WB") return s1;
  // Stage 1 Write-Back, stage 2 Write-Through: Write-Through with stage 1's RW hints and transience.
  const transient = s1 >> 2 === 0b01;
  return (transient ? 0b0000 : 0b1000) | (s1 & 0b11);
}

/** S2CombineS1Shareability(): Outer if either stage is Outer, else Inner if either is, else Non-shareable. */
function combineShareability(s1: Shareability, s2: Shareability): Shareability {
  if (s1 === "OSH" || s2 === "OSH") return "OSH";
  if (s1 === "ISH" || s2 === "ISH") return "ISH";
  return "NSH";
}

/**
 * S2CombineS1MemAttrs(): Device at either stage gives Device, of the more restrictive type when both
 * are Device (the smaller dd: nGnRnE < nGnRE < nGRE < GRE), else of the Device stage's type; two
 * Normal stages combine inner and outer cacheability separately. Shareability combines as well;
 * EffectiveShareability (PAR_EL1.SH, par.ts) then makes Device and Normal NC Outer Shareable.
 */
export function s2CombineS1MemAttrs(s1: MemoryAttributes, s2: Stage2Attributes): MemoryAttributes {
  const shareability = combineShareability(s1.shareability, decodeShareability(s2.sh));
  const s2Device = s2MemAttrIsDevice(s2.memAttr);
  const s2DeviceAttr = (s2.memAttr & 0b11) << 2;
  if (s1.type === "Device" || s2Device) {
    const attr = s1.type === "Device" && s2Device ? Math.min(s1.attr, s2DeviceAttr) : s1.type === "Device" ? s1.attr : s2DeviceAttr;
    return { type: "Device", attr, nonCacheable: false, shareability };
  }
  const outer = combineNibble(s1.attr >> 4, s2Cacheability(s2.memAttr >> 2));
  const inner = combineNibble(s1.attr & 0xf, s2Cacheability(s2.memAttr & 0b11));
  return {
    type: "Normal",
    attr: (outer << 4) | inner,
    nonCacheable: outer === NC_NIBBLE && inner === NC_NIBBLE,
    shareability,
  };
}
