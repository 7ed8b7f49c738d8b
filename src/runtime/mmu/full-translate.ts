// AArch64.FullTranslate(): a guest access from EL1 or EL0 through stage 1 and, when enabled,
// stage 2 of the output IPA. A stage-1 fault wins over anything stage 2 would say about the
// final IPA, because stage 2 of the output address runs only after stage 1 succeeded.

import type { AccessDescriptor } from "./access.ts";
import { success, type Outcome } from "./fault.ts";
import type { TranslationContext } from "./registers.ts";
import { stage2Enabled } from "./regime.ts";
import { s1Translate, type S1Output } from "./s1-translate.ts";
import { s2Translate, type S2Output } from "./s2-translate.ts";

export interface FullTranslation {
  readonly ipa: bigint;
  readonly pa: bigint;
  readonly s1: S1Output;
  /** Undefined when stage 2 is disabled (then pa === ipa). */
  readonly s2: S2Output | undefined;
}

export function fullTranslate(ctx: TranslationContext, va: bigint, access: AccessDescriptor): Outcome<FullTranslation> {
  return fullTranslateAfterStage1(ctx, s1Translate(ctx, va, access), access);
}

/** AArch64.FullTranslate() once stage 1 has given `s1` (at-every-operation.ts shares stage 1 among AT operations). */
export function fullTranslateAfterStage1(ctx: TranslationContext, s1: Outcome<S1Output>, access: AccessDescriptor): Outcome<FullTranslation> {
  if (!s1.ok) return s1;
  const ipa = s1.value.oa;
  if (!stage2Enabled(ctx)) return success({ ipa, pa: ipa, s1: s1.value, s2: undefined });
  const s2 = s2Translate(ctx, ipa, access, false);
  if (!s2.ok) return s2;
  return success({ ipa, pa: s2.value.pa, s1: s1.value, s2: s2.value });
}
