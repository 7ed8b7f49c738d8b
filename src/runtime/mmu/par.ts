// The 64-bit PAR_EL1 format an AT instruction writes (Arm ARM PAR_EL1, FEAT_D128 absent).
//   success: F[0]=0, SH[8:7], NS[9], RES1[11], PA[47:12], ATTR[63:56]
//   failure: F[0]=1, FST[6:1], PTW[8], S[9], RES1[11]

import { PAR, ParFailure, ParSuccess } from "../../../generated/arch-facts.ts";
import { AtExternalAbort, atTakesException } from "./at-exception.ts";
import { bigintOfWords } from "./bits.ts";
import { encodeLDFSC, type FaultRecord } from "./fault.ts";
import { low48 } from "./table-walk.ts";
import { effectiveShareability, encodeShareability, type MemoryAttributes } from "./memattrs.ts";

// Bit positions from dsl/arch's PAR layouts (generated/arch-facts.ts).
const bit = (f: { lsb: number }) => 1n << BigInt(f.lsb);
const PAR_F = bit(PAR.F);
const PAR_RES1_BIT11 = bit(ParSuccess.RES1);
const PAR_PTW = bit(ParFailure.PTW);
const PAR_S = bit(ParFailure.S);

/**
 * A successful translation. NS is UNKNOWN for a Non-secure regime in the Arm ARM; we write 1, as
 * QEMU does in Non-secure state, so the two agree bit for bit.
 */
export function encodePARSuccess(oa: bigint, attrs: MemoryAttributes): bigint {
  return encodePARSuccessAt(low48(oa), attrs);
}

/**
 * encodePARSuccess() of an output address held as a Number (its bits 47:0, as the walks hold
 * addresses): the PAR's two 32-bit halves made on Numbers, one BigInt of them (bits.ts).
 */
export function encodePARSuccessAt(oa: number, attrs: MemoryAttributes): bigint {
  const sh = encodeShareability(effectiveShareability(attrs));
  // The model's output addresses have 48 bits (FEAT_LPA absent): PA[47:12] of the field's [51:12].
  const low = (((oa >>> 0) & PA_LOW_MASK) | ((sh & 0b11) << ParSuccess.SH.lsb) | PAR_RES1_BIT11_NUMBER | PAR_NS_NUMBER) >>> 0;
  const high = (((attrs.attr & 0xff) << (ParSuccess.ATTR.lsb - 32)) | (Math.floor(oa / 2 ** 32) & 0xffff)) >>> 0;
  return bigintOfWords(low, high);
}

/** PA[31:12] in place: the low half's part of the PA field. */
const PA_LOW_MASK = (0xffffffff << ParSuccess.PA.lsb) >>> 0;
const PAR_RES1_BIT11_NUMBER = 1 << ParSuccess.RES1.lsb;
const PAR_NS_NUMBER = 1 << ParSuccess.NS.lsb;

/**
 * A failed translation: the fault's FST, S for a stage-2 fault, PTW when it hit a stage-1 walk.
 * A synchronous External abort on the walk never reaches PAR_EL1: the AT instruction takes it as
 * an exception, thrown here as AtExternalAbort for the instruction's caller (at-exception.ts).
 */
export function encodePARFault(fault: FaultRecord): bigint {
  if (atTakesException(fault)) throw new AtExternalAbort(fault);
  const fsc = encodeLDFSC(fault.statuscode, fault.level);
  // A function of FST, PTW and S alone: each value made once (an AT batch reports a few faults over and over).
  const index = fsc * 4 + (fault.s2fs1walk ? 2 : 0) + (fault.secondstage ? 1 : 0);
  let par = FAULT_PARS[index];
  if (par === undefined) {
    par = PAR_F | (BigInt(fsc) << BigInt(ParFailure.FST.lsb)) | (fault.s2fs1walk ? PAR_PTW : 0n) | (fault.secondstage ? PAR_S : 0n) | PAR_RES1_BIT11;
    FAULT_PARS[index] = par;
  }
  return par;
}

/** encodePARFault's values by FSC * 4 + PTW * 2 + S (the FSC is 6 bits). */
const FAULT_PARS: (bigint | undefined)[] = new Array<bigint | undefined>(64 * 4).fill(undefined);
