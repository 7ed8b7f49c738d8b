// AArch64.S1Translate(): VA to IPA for the EL1&0 regime, with stage 1 on (walk, Access flag,
// permissions, MAIR attributes) or off (flat mapping, AArch64.S1DisabledOutput). When stage 2 is
// on, every descriptor fetch of the walk goes through AArch64.S2Translate as an s2fs1walk access.

import type { AccessDescriptor } from "./access.ts";
import { field, isZeroField } from "./bits.ts";
import { S1Leaf, shareabilityField } from "./descriptor.ts";
import { failure, makeFault, success, type Outcome } from "./fault.ts";
import { mairAttr, s1DecodeMemAttrs, s1DisabledMemAttrs, type MemoryAttributes } from "./memattrs.ts";
import { HCR, regBit, SCTLR, TCR, type TranslationContext } from "./registers.ts";
import { stage1Enabled, stage2Enabled } from "./regime.ts";
import { s1CheckPermissions } from "./s1-permissions.ts";
import { s1Walk, type S1WalkState } from "./s1-walk.ts";
import { addrTop, getVARange } from "./va-range.ts";
import { getS1TTWParams, type S1TTWParams } from "./walk-params.ts";

export interface S1Output {
  /** Output address of stage 1: the IPA (equal to the PA when stage 2 is off). */
  readonly oa: bigint;
  readonly attrs: MemoryAttributes;
  /** The walk that produced it; undefined when stage 1 is disabled. */
  readonly walk: S1WalkState | undefined;
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
  return success({ oa: field(va, ctx.paMax - 1, 0), attrs, walk: undefined });
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
  if (!walked.ok) return failure(walked.fault);
  const denied = s1CheckPermissions(walked.value, access, params.wxn);
  if (denied !== undefined) return failure(denied);
  const leaf = walked.value.descriptor;
  // Instruction fetches from Device memory are CONSTRAINED UNPREDICTABLE (Permission fault, or
  // treated as Normal Non-cacheable); we take the second, so no fault is raised for them here.
  const attrs = s1DecodeMemAttrs(mairAttr(params.mair, S1Leaf.attrIndx(leaf)), shareabilityField(leaf));
  return success({ oa: walked.value.oa, attrs, walk: walked.value });
}
