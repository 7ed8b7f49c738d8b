// The 64-bit PAR_EL1 format an AT instruction writes (Arm ARM PAR_EL1, FEAT_D128 absent).
//   success: F[0]=0, SH[8:7], NS[9], RES1[11], PA[47:12], ATTR[63:56]
//   failure: F[0]=1, FST[6:1], PTW[8], S[9], RES1[11]

import { field } from "./bits.ts";
import { encodeLDFSC, type FaultRecord } from "./fault.ts";
import { effectiveShareability, encodeShareability, type MemoryAttributes } from "./memattrs.ts";

const PAR_F = 1n;
const PAR_RES1_BIT11 = 1n << 11n;
const PAR_NS = 1n << 9n;
const PAR_PTW = 1n << 8n;
const PAR_S = 1n << 9n;

/**
 * A successful translation. NS is UNKNOWN for a Non-secure regime in the Arm ARM; we write 1, as
 * QEMU does in Non-secure state, so the two agree bit for bit.
 */
export function encodePARSuccess(oa: bigint, attrs: MemoryAttributes): bigint {
  const sh = BigInt(encodeShareability(effectiveShareability(attrs)));
  return (BigInt(attrs.attr) << 56n) | (field(oa, 47, 12) << 12n) | PAR_RES1_BIT11 | PAR_NS | (sh << 7n);
}

/** A failed translation: the fault's FST, S for a stage-2 fault, PTW when it hit a stage-1 walk. */
export function encodePARFault(fault: FaultRecord): bigint {
  const fst = BigInt(encodeLDFSC(fault.statuscode, fault.level));
  return (
    PAR_F |
    (fst << 1n) |
    (fault.s2fs1walk ? PAR_PTW : 0n) |
    (fault.secondstage ? PAR_S : 0n) |
    PAR_RES1_BIT11
  );
}
