// The smallest model of a set of constraints over some inputs: first the fewest set bits over
// all of them (a cardinality bound, narrowed by bisection), then, with that bound kept, each
// input as small as possible in order (each zero if it can be, else bit by bit from the top).
import type { SatResult } from "./solver.ts";
import type { Z3BitVec, Z3Bool, Z3Context } from "./z3.ts";

export async function minimalModel(ctx: Z3Context, constraints: Z3Bool[], terms: Z3BitVec[], timeoutMs = 30_000) {
  const s = new ctx.Solver();
  s.set("timeout", timeoutMs);
  try {
    for (const c of constraints) s.add(c);
    const trial = async (extra: Z3Bool[]): Promise<SatResult> => {
      s.push();
      for (const e of extra) s.add(e);
      const r = await s.check();
      s.pop();
      return r;
    };
    if ((await s.check()) !== "sat") throw new Error("internal: the counterexample query is not satisfiable");
    const bits: Z3Bool[] = terms.flatMap((t) => Array.from({ length: t.sort.size() }, (_, i) => t.extract(i, i).eq(ctx.BitVec.val(1n, 1)) as Z3Bool));
    if (bits.length > 0) {
      const m0 = s.model();
      let hi = bits.filter((b) => m0.eval(b, true).toString() === "true").length;
      let lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((await trial([ctx.AtMost(bits as [Z3Bool, ...Z3Bool[]], mid) as Z3Bool])) === "sat") hi = mid;
        else lo = mid + 1;
      }
      s.add(ctx.AtMost(bits as [Z3Bool, ...Z3Bool[]], hi) as Z3Bool);
      for (const t of terms) {
        const w = t.sort.size();
        const zero = t.eq(ctx.BitVec.val(0n, w)) as Z3Bool;
        if ((await trial([zero])) === "sat") {
          s.add(zero);
          continue;
        }
        for (let i = w - 1; i >= 0; i--) {
          const clear = t.extract(i, i).eq(ctx.BitVec.val(0n, 1)) as Z3Bool;
          if ((await trial([clear])) === "sat") s.add(clear);
          else s.add(t.extract(i, i).eq(ctx.BitVec.val(1n, 1)) as Z3Bool);
        }
      }
    }
    if ((await s.check()) !== "sat") throw new Error("internal: minimisation lost the model");
    return s.model();
  } finally {
    s.release();
  }
}
