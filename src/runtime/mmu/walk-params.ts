// Decoding of TCR_EL1 and VTCR_EL2 into the parameters one walk needs (Arm ARM
// AArch64.GetS1TTWParams / AArch64.GetS2TTWParams, with ARMv8.0's TranslationTableWalk rules).

import { field } from "./bits.ts";
import { decodeTG0, decodeTG1, granuleGeometry, type GranuleGeometry } from "./granule.ts";
import { MAX_INPUT_SIZE, MIN_INPUT_SIZE } from "./implementation.ts";
import { HCR, regBit, regField, SCTLR, TCR, VTCR, type TranslationContext, type TranslationRegisters } from "./registers.ts";
import { mairAttr } from "./memattrs.ts";
import { addrTop, getVARange, type VARange } from "./va-range.ts";

export interface S1TTWParams {
  readonly range: VARange;
  readonly geometry: GranuleGeometry;
  /** Input (VA) size in bits, 64 - TxSZ after the CONSTRAINED UNPREDICTABLE clamp. */
  readonly inputsize: number;
  /** Output (IPA) size in bits: TCR_EL1.IPS limited by PAMax. */
  readonly outputsize: number;
  readonly top: 55 | 63;
  /** TCR_EL1.EPDx: walks through this TTBR are disabled. */
  readonly epd: boolean;
  /** TTBR0_EL1 or TTBR1_EL1. */
  readonly baseregister: bigint;
  /** Its table base (BADDR, bits 47:0: baseAddressField) as a Number, worked out once for every walk of these registers. */
  readonly baseaddress: number;
  /** SCTLR_EL1.EE: stage-1 descriptors are big-endian. */
  readonly bigEndianDescriptors: boolean;
  /** SCTLR_EL1.WXN. */
  readonly wxn: boolean;
  /** MAIR_EL1, indexed by a descriptor's AttrIndx. */
  readonly mair: bigint;
  /** Its eight Attr<n> fields (mairAttr), read once for every walk of these registers. */
  readonly mairAttrs: readonly number[];
}

export interface S2TTWParams {
  readonly geometry: GranuleGeometry;
  /** Input (IPA) size in bits, 64 - VTCR_EL2.T0SZ after the clamp. */
  readonly inputsize: number;
  /** Output (PA) size in bits: VTCR_EL2.PS limited by PAMax. */
  readonly outputsize: number;
  /** VTCR_EL2.SL0 as it reads. */
  readonly sl0: number;
  /** VTTBR_EL2 (VMID in bits [63:48] plays no part in a walk). */
  readonly baseregister: bigint;
  /** Its table base (bits 47:0: baseAddressField) as a Number, worked out once for every walk of these registers. */
  readonly baseaddress: number;
  /** HCR_EL2.PTW: a stage-1 walk that lands on stage-2 Device memory is a Permission fault. */
  readonly protectedTableWalk: boolean;
}

/**
 * TxSZ outside 16..39 is CONSTRAINED UNPREDICTABLE in ARMv8.0 (FORCE or FAULT); like QEMU we take
 * FORCE and clamp the input size into the supported range.
 */
export function clampInputSize(txsz: number): number {
  return Math.min(MAX_INPUT_SIZE, Math.max(MIN_INPUT_SIZE, 64 - txsz));
}

/** The output size an {I}PS field selects (ARMv8.0: 110 and 111 act as 48 bits), limited by PAMax. */
export function decodePhysicalAddressSize(ps: number, paMax: number): number {
  const sizes = [32, 36, 40, 42, 44, 48];
  const size = ps < sizes.length ? sizes[ps] : 48;
  return Math.min(size, paMax);
}

/** The inverse of decodePhysicalAddressSize, for building register values. */
export function encodePhysicalAddressSize(bits: number): number {
  const index = [32, 36, 40, 42, 44, 48].indexOf(bits);
  if (index < 0) throw new RangeError(`no {I}PS encoding for a ${bits}-bit address space`);
  return index;
}

/** AArch64.GetS1TTWParams() for the EL1&0 regime and the TTBR the VA selects. */
export function getS1TTWParams(ctx: TranslationContext, va: bigint): S1TTWParams {
  const range = getVARange(va);
  const kept = lastS1Params[range === "LOWER" ? 0 : 1];
  if (kept !== undefined && kept.regs === ctx.regs && kept.paMax === ctx.paMax) return kept.params;
  const { TCR_EL1: tcr, SCTLR_EL1: sctlr } = ctx.regs;
  const baseregister = range === "LOWER" ? ctx.regs.TTBR0_EL1 : ctx.regs.TTBR1_EL1;
  if (kept !== undefined && kept.tcr === tcr && kept.sctlr === sctlr && kept.params.baseregister === baseregister && kept.params.mair === ctx.regs.MAIR_EL1 && kept.paMax === ctx.paMax) {
    kept.regs = ctx.regs;
    return kept.params;
  }
  const params = decodeS1TTWParams(ctx, range);
  lastS1Params[range === "LOWER" ? 0 : 1] = { regs: ctx.regs, tcr, sctlr, paMax: ctx.paMax, params };
  return params;
}

// The walk parameters are a function of a few register values (and PAMax): the last decoding of
// each is kept with the values it was made from and reused while they hold, as a batch of ATs or
// the descriptor fetches of one walk through stage 2 all ask with the same registers. The
// registers object is kept too: the same (readonly) object holds the same values, and telling
// that costs no BigInt comparison.
let lastS1Params: [KeptS1Params | undefined, KeptS1Params | undefined] = [undefined, undefined];
interface KeptS1Params {
  /** The registers object last asked with (these values). */
  regs: TranslationRegisters;
  readonly tcr: bigint;
  readonly sctlr: bigint;
  readonly paMax: number;
  readonly params: S1TTWParams;
}

function decodeS1TTWParams(ctx: TranslationContext, range: VARange): S1TTWParams {
  const { TCR_EL1: tcr, SCTLR_EL1: sctlr } = ctx.regs;
  const lower = range === "LOWER";
  const baseregister = lower ? ctx.regs.TTBR0_EL1 : ctx.regs.TTBR1_EL1;
  return {
    range,
    geometry: granuleGeometry(lower ? decodeTG0(regField(tcr, TCR.TG0)) : decodeTG1(regField(tcr, TCR.TG1))),
    inputsize: clampInputSize(regField(tcr, lower ? TCR.T0SZ : TCR.T1SZ)),
    outputsize: decodePhysicalAddressSize(regField(tcr, TCR.IPS), ctx.paMax),
    top: addrTop(regBit(tcr, lower ? TCR.TBI0 : TCR.TBI1)),
    epd: regBit(tcr, lower ? TCR.EPD0 : TCR.EPD1),
    baseregister,
    baseaddress: Number(baseAddressField(baseregister)),
    bigEndianDescriptors: regBit(sctlr, SCTLR.EE),
    wxn: regBit(sctlr, SCTLR.WXN),
    mair: ctx.regs.MAIR_EL1,
    mairAttrs: [0, 1, 2, 3, 4, 5, 6, 7].map((n) => mairAttr(ctx.regs.MAIR_EL1, n)),
  };
}

let lastS2Params: KeptS2Params | undefined;
interface KeptS2Params {
  regs: TranslationRegisters;
  readonly vtcr: bigint;
  readonly hcr: bigint;
  readonly paMax: number;
  readonly params: S2TTWParams;
}

/** AArch64.GetS2TTWParams() for the Non-secure EL1&0 stage 2 (a stage-1 walk through stage 2 asks once per descriptor fetch). */
export function getS2TTWParams(ctx: TranslationContext): S2TTWParams {
  const kept = lastS2Params;
  if (kept !== undefined && kept.regs === ctx.regs && kept.paMax === ctx.paMax) return kept.params;
  const { VTCR_EL2: vtcr, HCR_EL2: hcr, VTTBR_EL2: vttbr } = ctx.regs;
  if (kept !== undefined && kept.vtcr === vtcr && kept.hcr === hcr && kept.params.baseregister === vttbr && kept.paMax === ctx.paMax) {
    kept.regs = ctx.regs;
    return kept.params;
  }
  const params = decodeS2TTWParams(ctx);
  lastS2Params = { regs: ctx.regs, vtcr, hcr, paMax: ctx.paMax, params };
  return params;
}

function decodeS2TTWParams(ctx: TranslationContext): S2TTWParams {
  const vtcr = ctx.regs.VTCR_EL2;
  return {
    geometry: granuleGeometry(decodeTG0(regField(vtcr, VTCR.TG0))),
    inputsize: clampInputSize(regField(vtcr, VTCR.T0SZ)),
    outputsize: decodePhysicalAddressSize(regField(vtcr, VTCR.PS), ctx.paMax),
    sl0: regField(vtcr, VTCR.SL0),
    baseregister: ctx.regs.VTTBR_EL2,
    baseaddress: Number(baseAddressField(ctx.regs.VTTBR_EL2)),
    protectedTableWalk: regBit(ctx.regs.HCR_EL2, HCR.PTW),
  };
}

/** Bits of a TTBR/VTTBR holding the table base (BADDR); ASID/VMID and CnP lie outside. */
export function baseAddressField(baseregister: bigint): bigint {
  return field(baseregister, 47, 0);
}
