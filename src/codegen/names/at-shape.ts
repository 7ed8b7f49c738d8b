// The name of one AT shape (the operation, its alternative and capability, whether PAR_EL1 is
// preserved) as an identifier fragment: the helper each backend writes per shape is named by it
// (faultc_at_* in the .c, translate_* in the .c.ts), so two shapes must never share one. The
// operations are fixed words without `_`, and the capability, the only part a rule file names,
// comes last, so the fragment reads back as one shape only (`x` preserving PAR_EL1 and a
// capability called `x_preserving_par` stay apart, and so do `X` and `x`).
import type * as I from "../ir/types.ts";
import { platformName } from "./mangle.ts";

export function atShapeName(s: Extract<I.Stmt, { kind: "at" }>): string {
  const base = `${s.op.base.toLowerCase()}${s.preserve ? "_preserving_par" : ""}`;
  const alt = s.op.alternative;
  return alt === undefined ? base : `${base}_or_${alt.op.toLowerCase()}_when_${platformName(alt.capability)}`;
}
