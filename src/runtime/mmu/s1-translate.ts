// AArch64.S1Translate(): VA to IPA for the EL1&0 regime, with stage 1 on (walk, Access flag,
// permissions, MAIR attributes) or off (flat mapping, AArch64.S1DisabledOutput). When stage 2 is
// on, every descriptor fetch of the walk goes through AArch64.S2Translate as an s2fs1walk access.

import type { AccessDescriptor } from "./access.ts";
import { field, isZeroField } from "./bits.ts";
import { S1LeafWords, shareabilityOfLowWord } from "./descriptor.ts";
import { failure, makeFault, success, type Outcome } from "./fault.ts";
import { s1DecodeMemAttrs, s1DisabledMemAttrs, type MemoryAttributes } from "./memattrs.ts";
import { HCR, regBit, SCTLR, TCR, type TranslationContext } from "./registers.ts";
import { stage1Enabled, stage2Enabled } from "./regime.ts";
import { s1CheckPermissions } from "./s1-permissions.ts";
import { s1Walk, type S1WalkState } from "./s1-walk.ts";
import { addrTop, getVARange } from "./va-range.ts";
import { getS1TTWParams, type S1TTWParams } from "./walk-params.ts";

export interface S1Output {
  /** Output address of stage 1: the IPA (equal to the PA when stage 2 is off). */
  readonly oa: bigint;
  /** The same as a Number (exact: at most 48 bits), which PAR_EL1 is made from. */
  readonly oaNumber: number;
  readonly attrs: MemoryAttributes;
  /** The walk that produced it; undefined when stage 1 is disabled. */
  readonly walk: S1WalkState | undefined;
}

/** Stage 1's output from its walk: the output address is the walk's, as a bigint only when asked. */
class S1Walked implements S1Output {
  constructor(
    readonly walk: S1WalkState,
    readonly attrs: MemoryAttributes,
  ) {}

  get oa(): bigint {
    return this.walk.oa;
  }

  get oaNumber(): number {
    return this.walk.oaNumber;
  }
}

/**
 * AArch64.S1DisabledOutput(): the VA is the output address, provided no bit between AddrTop and
 * PAMax is set (else a level-0 Address size fault).
 */
function s1DisabledOutput(ctx: TranslationContext, va: bigint, access: AccessDescriptor): Outcome<S1Output> {
  const tcr = ctx.regs.TCR_EL1;
  const top = addrTop(regBit(tcr, getVARange(va) === "LOWER" ? TCR.TBI0 : TCR.TBI1));
  if (!isZeroField(va, top, ctx.paMax)) {
    return failure(
      makeFault("AddressSize", 0, { secondstage: false, s2fs1walk: false, ipaddress: undefined, write: access.write }),
    );
  }
  const attrs = s1DisabledMemAttrs(
    access.kind === "IFETCH",
    regBit(ctx.regs.HCR_EL2, HCR.DC),
    regBit(ctx.regs.SCTLR_EL1, SCTLR.I),
  );
  const oa = field(va, ctx.paMax - 1, 0);
  return success({ oa, oaNumber: Number(oa), attrs, walk: undefined });
}

export function s1Translate(ctx: TranslationContext, va: bigint, access: AccessDescriptor): Outcome<S1Output> {
  if (!stage1Enabled(ctx)) return s1DisabledOutput(ctx, va, access);
  const params = getS1TTWParams(ctx, va);
  // Descriptor addresses go through stage 2 when it is enabled, else are used as they are.
  return s1TranslateWalked(params, s1Walk(ctx, params, va, access, stage2Enabled(ctx) ? "stage 2" : undefined), access);
}

/**
 * AArch64.S1Translate() with stage 1 on, from its walk on: the permission check and the MAIR
 * attributes. The walk reads nothing of the access but its direction (each fault's write, the
 * stage-2 translations of its descriptor addresses), so accesses that differ only in whose
 * permissions they check can share one walk (at-every-operation.ts: AT S1E1R and S1E0R).
 */
export function s1TranslateWalked(params: S1TTWParams, walked: Outcome<S1WalkState>, access: AccessDescriptor): Outcome<S1Output> {
  // The walk's own failure: a fault carries no value, so one Outcome serves both.
  if (!walked.ok) return walked;
  const denied = s1CheckPermissions(walked.value, access, params.wxn);
  if (denied !== undefined) return failure(denied);
  const lo = walked.value.descriptorLow;
  // Instruction fetches from Device memory are CONSTRAINED UNPREDICTABLE (Permission fault, or
  // treated as Normal Non-cacheable); we take the second, so no fault is raised for them here.
  const attrs = s1DecodeMemAttrs(params.mairAttrs[S1LeafWords.attrIndx(lo)], shareabilityOfLowWord(lo));
  return success(new S1Walked(walked.value, attrs));
}
