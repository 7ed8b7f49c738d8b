// AArch64.AT() for AT S12E1R/W and AT S12E0R/W executed at EL2: the full EL1&0 translation, VA to
// PA through stage 1 and stage 2 (AArch64.FullTranslate), reported in PAR_EL1 instead of raising
// an exception. Stage 1 checks EL1 (S12E1*) or EL0 (S12E0*) read or write permission; stage 2
// checks the same direction (S2AP read for R, write for W). On success PAR_EL1 holds the PA with
// the combined stage-1/stage-2 attributes and shareability (s2-memattrs.ts); on a fault, F=1 with
// the FST, S=1 for a stage-2 fault and PTW=1 when that fault hit a stage-1 table fetch.
//
// When stage 2 is disabled (HCR_EL2.VM=0 and DC=0) the Arm ARM makes them AT S1E1R/W and
// S1E0R/W: the result is stage 1's, attributes and all.

import { atAccessDescriptor, atS1E1Answer, parOrException, type TranslationInput } from "./at.ts";
import { atTakesException } from "./at-exception.ts";
import type { FaultRecord, Outcome } from "./fault.ts";
import { fullTranslate, type FullTranslation } from "./full-translate.ts";
import { encodePARFault, encodePARSuccess } from "./par.ts";
import { readTranslationContext, type TranslationContext } from "./registers.ts";
import { assertEl10RegimeSelected, stage2Enabled } from "./regime.ts";
import { shareabilityOfLowWord } from "./descriptor.ts";
import { s2CombineS1MemAttrs } from "./s2-memattrs.ts";

/** AT S1E1*'s input; read is AT S12E1R / S12E0R, write AT S12E1W / S12E0W (there is no S12E1A). */
export type Stage12TranslationInput = Omit<TranslationInput, "access"> & { access: "read" | "write" };

/** The new PAR_EL1 value after AT S12E1R/W (el 1) or AT S12E0R/W (el 0) executed at EL2. */
export function addressTranslateS12(input: Stage12TranslationInput): bigint {
  return addressTranslateS12In(readTranslationContext(input.sysreg, input.memory, input.paMaxBits), input.va, input.access, input.el ?? 1);
}

/** addressTranslateS12 on registers already read. */
export function addressTranslateS12In(ctx: TranslationContext, va: bigint, access: "read" | "write", el: 0 | 1 = 1): bigint {
  return parOrException(atS12Answer(ctx, va, access, el));
}

/** What AT S12E<el><access> answers: the new PAR_EL1, or the External abort's fault it takes instead (atS1E1Answer). */
export function atS12Answer(ctx: TranslationContext, va: bigint, access: "read" | "write", el: 0 | 1 = 1): bigint | FaultRecord {
  assertEl10RegimeSelected(ctx);
  if (!stage2Enabled(ctx)) return atS1E1Answer(ctx, va, access, el);
  return atS12Report(fullTranslate(ctx, va, atAccessDescriptor(access, el)));
}

/** What a two-stage AT reports of its translation (stage 2 on): PAR_EL1 with the combined attributes, or the External abort's fault. */
export function atS12Report(t: Outcome<FullTranslation>): bigint | FaultRecord {
  if (!t.ok) return atTakesException(t.fault) ? t.fault : encodePARFault(t.fault);
  const s2 = t.value.s2;
  if (s2 === undefined) throw new Error("internal: stage 2 enabled but the translation has no stage-2 output");
  const attrs = s2CombineS1MemAttrs(t.value.s1.attrs, { memAttr: s2.memAttr, sh: shareabilityOfLowWord(s2.walk.descriptorLow) });
  return encodePARSuccess(t.value.pa, attrs);
}
