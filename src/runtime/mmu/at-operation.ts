// One entry for every AT operation the model runs at EL2: stage 1 only (AT S1E1R/W/A, S1E0R/W,
// at.ts) or both stages (AT S12E1R/W, S12E0R/W, at-stage12.ts).

import { addressTranslateS1E1, addressTranslateS1E1In, type AtAccess, type TranslationInput } from "./at.ts";
import { addressTranslateS12, addressTranslateS12In } from "./at-stage12.ts";
import type { TranslationContext } from "./registers.ts";

export interface AtOperationInput extends TranslationInput {
  /** 1 (default): AT S1*; 12: AT S12*, whose access is read or write. */
  stages?: 1 | 12;
}

/** The new PAR_EL1 value after the AT operation `input` describes. */
export function translateAtOperation(input: AtOperationInput): bigint {
  if ((input.stages ?? 1) === 1) return addressTranslateS1E1(input);
  if (input.access === "any") throw new RangeError("there is no two-stage AT operation without a permission check");
  return addressTranslateS12({ ...input, access: input.access });
}

/** translateAtOperation on registers already read (several operations on one set-up read them once). */
export function translateAtOperationIn(ctx: TranslationContext, va: bigint, op: { readonly stages: 1 | 12; readonly el: 0 | 1; readonly access: AtAccess }): bigint {
  if (op.stages === 1) return addressTranslateS1E1In(ctx, va, op.access, op.el);
  if (op.access === "any") throw new RangeError("there is no two-stage AT operation without a permission check");
  return addressTranslateS12In(ctx, va, op.access, op.el);
}
