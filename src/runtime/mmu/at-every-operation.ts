// Several AT operations on one VA at once, each answering exactly what atOperationAnswer answers
// for it alone (AArch64.AT for S1E1R/W/A, S1E0R/W and, stage 2 on, S12E1R/W, S12E0R/W), with one
// stage-1 walk per direction instead of one per operation: the walk reads nothing of the access
// but its direction (s1TranslateWalked), so S1E1R, S1E1A, S1E0R, S12E1R and S12E0R walk alike,
// and differ from the permission check on. The trap builder asks every operation on FAR, on the
// guest's tables and on the scenario machine's (scenario/at-answers.ts).

import { atOperationAnswer, type AtOperationTraits } from "./at-operation.ts";
import { atAccessDescriptor, atS1Report } from "./at.ts";
import { atS12Report } from "./at-stage12.ts";
import type { FaultRecord, Outcome } from "./fault.ts";
import { fullTranslateAfterStage1 } from "./full-translate.ts";
import type { TranslationContext } from "./registers.ts";
import { assertEl10RegimeSelected, stage1Enabled, stage2Enabled } from "./regime.ts";
import { s1TranslateWalked } from "./s1-translate.ts";
import { s1Walk, type S1WalkState } from "./s1-walk.ts";
import { getS1TTWParams } from "./walk-params.ts";

/** atOperationAnswer(ctx, va, op) for each of `ops`, in their order. */
export function atOperationAnswers(ctx: TranslationContext, va: bigint, ops: readonly AtOperationTraits[]): (bigint | FaultRecord)[] {
  assertEl10RegimeSelected(ctx);
  // Stage 1 off: no walk to share.
  if (!stage1Enabled(ctx)) return ops.map((op) => atOperationAnswer(ctx, va, op));
  const params = getS1TTWParams(ctx, va);
  const stage2 = stage2Enabled(ctx);
  // The walk of a read (and of S1E1A, which checks no permission) and of a write, each made when first needed.
  let readWalk: Outcome<S1WalkState> | undefined;
  let writeWalk: Outcome<S1WalkState> | undefined;
  return ops.map((op) => {
    if (op.stages === 12 && op.access === "any") throw new RangeError("there is no two-stage AT operation without a permission check");
    const access = atAccessDescriptor(op.access, op.el);
    const walked = access.write
      ? (writeWalk ??= s1Walk(ctx, params, va, access, stage2 ? "stage 2" : undefined))
      : (readWalk ??= s1Walk(ctx, params, va, access, stage2 ? "stage 2" : undefined));
    const s1 = s1TranslateWalked(params, walked, access);
    // Stage 2 off: AT S12* is AT S1* (at-stage12.ts).
    return op.stages === 12 && stage2 ? atS12Report(fullTranslateAfterStage1(ctx, s1, access)) : atS1Report(s1);
  });
}
