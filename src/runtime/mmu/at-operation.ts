// One entry for every AT operation the model runs at EL2: stage 1 only (AT S1E1R/W/A, S1E0R/W,
// at.ts) or both stages (AT S12E1R/W, S12E0R/W, at-stage12.ts).

import { addressTranslateS1E1, atS1E1Answer, parOrException, type AtAccess, type TranslationInput } from "./at.ts";
import { addressTranslateS12, atS12Answer } from "./at-stage12.ts";
import type { FaultRecord } from "./fault.ts";
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
export function translateAtOperationIn(ctx: TranslationContext, va: bigint, op: AtOperationTraits): bigint {
  return parOrException(atOperationAnswer(ctx, va, op));
}

/** The operation's traits: its stages, whose permissions, which access. */
export interface AtOperationTraits {
  readonly stages: 1 | 12;
  readonly el: 0 | 1;
  readonly access: AtAccess;
}

/** What the operation answers: the new PAR_EL1, or the fault of the External abort it takes as an exception instead (at.ts atS1E1Answer). */
export function atOperationAnswer(ctx: TranslationContext, va: bigint, op: AtOperationTraits): bigint | FaultRecord {
  if (op.stages === 1) return atS1E1Answer(ctx, va, op.access, op.el);
  if (op.access === "any") throw new RangeError("there is no two-stage AT operation without a permission check");
  return atS12Answer(ctx, va, op.access, op.el);
}
