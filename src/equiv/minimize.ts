// The smallest model of a set of constraints over some inputs: first the fewest set bits over
// all of them (a cardinality bound, narrowed by bisection), then, with that bound kept, each
// input as small as possible in order (each zero if it can be, else bit by bit from the top).
// The answer is unique (whatever solver finds it), and the solver is asked only where the last
// model does not already show the smaller choice possible.
import { Checker, type SolverModel, type Witness } from "./solver.ts";
import type { BvTerm, BoolTerm, TermContext } from "./term/term.ts";

/** On `like`'s solver session (a checker of the proof's) when given one, else on the default solver's; the constraints are the background. */
export async function minimalModel(like: Checker | TermContext, constraints: BoolTerm[], terms: BvTerm[], timeoutMs = 30_000): Promise<SolverModel> {
  const s = like instanceof Checker ? new Checker(like.ctx, () => constraints, timeoutMs, { session: like.session, applications: like.applications }) : new Checker(like, () => constraints, timeoutMs);
  try {
    return await minimise(s, terms);
  } finally {
    s.release();
  }
}

async function minimise(s: Checker, terms: BvTerm[]): Promise<SolverModel> {
  const ctx = s.ctx;
  const fixed: BoolTerm[] = [];
  const value = (w: Witness, t: BvTerm): bigint => BigInt(w.model.eval(t, true).toString().replace(/^#x/, "0x").replace(/^#b/, "0b"));
  const trial = async (extra: BoolTerm): Promise<Witness | undefined> => {
    const r = await s.witness([...fixed, extra]);
    if (r.result === "unknown") throw new Error("internal: the solver gave up minimising a counterexample");
    return r.witness;
  };
  const first = await s.witness([]);
  if (first.result !== "sat" || first.witness === undefined) throw new Error("internal: the counterexample query is not satisfiable");
  let best = first.witness;
  if (terms.length > 0) {
    const ones = (w: Witness) => terms.reduce((n, t) => n + popcount(value(w, t)), 0);
    const atMost = countBound(s, terms);
    let hi = ones(best);
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const w = await trial(atMost(mid));
      if (w !== undefined) {
        best = w;
        hi = ones(w);
      } else lo = mid + 1;
    }
    fixed.push(atMost(hi));
    for (const t of terms) {
      const w = t.width;
      const zero = t.eq(ctx.BitVec.val(0n, w)) as BoolTerm;
      const z = value(best, t) === 0n ? best : await trial(zero);
      if (z !== undefined) {
        best = z;
        fixed.push(zero);
        continue;
      }
      for (let i = w - 1; i >= 0; i--) {
        const clear = t.extract(i, i).eq(ctx.BitVec.val(0n, 1)) as BoolTerm;
        const c = ((value(best, t) >> BigInt(i)) & 1n) === 0n ? best : await trial(clear);
        if (c !== undefined) {
          best = c;
          fixed.push(clear);
        } else fixed.push(t.extract(i, i).eq(ctx.BitVec.val(1n, 1)) as BoolTerm);
      }
    }
  }
  return best.model;
}

/**
 * "At most k bits of the terms are set": z3's pseudo-Boolean at-most where the solver is z3 (it
 * has a solver of its own for them); elsewhere (cvc5) a sum of the bits, added pairwise in a
 * balanced tree, bounded.
 */
function countBound(s: Checker, terms: BvTerm[]): (k: number) => BoolTerm {
  const ctx = s.ctx;
  const bits = terms.flatMap((t) => Array.from({ length: t.width }, (_, i) => t.extract(i, i)));
  if (s.session.backend !== "cvc5") {
    const set = bits.map((b) => b.eq(ctx.BitVec.val(1n, 1)) as BoolTerm) as [BoolTerm, ...BoolTerm[]];
    return (k) => ctx.AtMost(set, k) as BoolTerm;
  }
  let level: BvTerm[] = bits as BvTerm[];
  while (level.length > 1) {
    const next: BvTerm[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const [x, y] = [level[i], level[i + 1]];
      if (y === undefined) next.push(x.zeroExt(1) as BvTerm);
      else {
        const w = Math.max(x.width, y.width) + 1;
        next.push(x.zeroExt(w - x.width).add(y.zeroExt(w - y.width)) as BvTerm);
      }
    }
    level = next;
  }
  const sum = level[0];
  return (k) => sum.ule(ctx.BitVec.val(BigInt(Math.min(k, 2 ** sum.width - 1)), sum.width)) as BoolTerm;
}

function popcount(v: bigint): number {
  let n = 0;
  for (; v > 0n; v >>= 1n) n += Number(v & 1n);
  return n;
}
