// One entry for every AT operation the model runs at EL2: stage 1 only (AT S1E1R/W/A, S1E0R/W,
// at.ts) or both stages (AT S12E1R/W, S12E0R/W, at-stage12.ts).

import { addressTranslateS1E1, type TranslationInput } from "./at.ts";
import { addressTranslateS12 } from "./at-stage12.ts";

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
