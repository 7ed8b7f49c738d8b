// Small operations shared by generated C-like variants, written once over the domain.
import type { BitVecDomain } from "../semantics/domain.ts";

/** `a` equals one of `values` (as C's `x == A || x == B || ...`, with `a` evaluated once). */
export function oneOf<V, B>(d: BitVecDomain<V, B>, a: V, values: readonly bigint[]): B {
  const w = d.width(a);
  let acc = d.false;
  for (const v of values) acc = d.orB(acc, d.eq(a, d.const(v, w)));
  return acc;
}
