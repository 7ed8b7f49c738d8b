// The sweep's input classes: the pairs of paths (one of side A's, one of side B's) that some input
// takes together, under one capability combination, each with a model of it. Asking the solver
// about every pair one by one costs a query per pair, and most pairs are infeasible; instead:
//  - pairs the proof already showed infeasible are dropped: when it proved equivalence, every
//    "A has outcome X, B has Y != X" check was unsatisfiable, so no input takes two paths of
//    different outcomes;
//  - pairs whose conditions hold a literal and its negation are dropped without the solver;
//  - the rest are asked as one disjunction, on a solver of the combination's own: each model
//    satisfies exactly one pair (each side's paths are disjoint), which is then blocked, until the
//    disjunction is unsatisfiable. One query per feasible pair, plus one per combination.
import type { Combination, Proof } from "./prove.ts";
import { outcomeKey, type SymbolicPath } from "./symbolic/paths.ts";
import type { Z3Bool, Z3Context } from "./z3.ts";

type Solver = InstanceType<Z3Context["Solver"]>;
export type Z3Model = ReturnType<Solver["model"]>;

export interface InputClass {
  combo: Combination;
  /** Indices into combo.pathsA and combo.pathsB. */
  a: number;
  b: number;
  pa: SymbolicPath;
  pb: SymbolicPath;
  /** The pair's conditions with the combination's background (assumptions and axioms). */
  constraint: Z3Bool;
  model: Z3Model;
}

export interface ClassSearch {
  /** Path pairs in all combinations. */
  pairs: number;
  /** Dropped as infeasible by the proof's own obligation-1 checks. */
  prunedByProof: number;
  /** Dropped for a literal and its negation in the two conditions. */
  prunedByLiterals: number;
  /** Solver queries made. */
  queries: number;
  /** Pairs left undecided when the solver gave up. */
  undecided: number;
}

/**
 * Whether the proof's checks showed that no input takes paths of different outcomes: only an
 * "equivalent" verdict says every obligation-1 check was unsatisfiable (a later obligation's
 * failure may follow an obligation-1 check the solver gave up on).
 */
export function outcomesProvenEqual(proof: Proof): boolean {
  return proof.verdict === "equivalent";
}

/** Literals of a path condition by z3 term id: true for the term, false for its negation. */
function literals(ctx: Z3Context, conds: readonly Z3Bool[]): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const c of conds) {
    if (ctx.isNot(c)) out.set((c.arg(0) as Z3Bool).id(), false);
    else out.set(c.id(), true);
  }
  return out;
}

/** A literal of one map negated in the other, or a literal false. */
function contradictory(ctx: Z3Context, x: Map<number, boolean>, y: Map<number, boolean>, conds: readonly Z3Bool[]): boolean {
  for (const [id, polarity] of x) if (y.get(id) === !polarity) return true;
  return conds.some((c) => ctx.isFalse(c));
}

/**
 * Calls `visit` with each input class of each combination, in a deterministic order; `visit` runs
 * while the class's model is alive. `progress` counts pairs decided out of all pairs.
 */
export async function searchClasses(
  proof: Proof,
  visit: (c: InputClass) => void | Promise<void>,
  o: { timeoutMs?: number; progress?: (done: number, total: number) => void } = {},
): Promise<ClassSearch> {
  const pairs = proof.combos.reduce((n, c) => n + c.pathsA.length * c.pathsB.length, 0);
  const stats: ClassSearch = { pairs, prunedByProof: 0, prunedByLiterals: 0, queries: 0, undecided: 0 };
  const sameOutcomes = outcomesProvenEqual(proof);
  let done = 0;
  for (const combo of proof.combos) {
    const ctx = combo.inputs.d.ctx;
    const litsA = combo.pathsA.map((p) => literals(ctx, p.conds));
    const litsB = combo.pathsB.map((p) => literals(ctx, p.conds));
    const [conjA, conjB] = [combo.pathsA, combo.pathsB].map((ps) => ps.map((p) => and(ctx, p.conds)));
    const candidates: { a: number; b: number; conj: Z3Bool }[] = [];
    combo.pathsA.forEach((pa, a) =>
      combo.pathsB.forEach((pb, b) => {
        if (sameOutcomes && outcomeKey(pa.outcome) !== outcomeKey(pb.outcome)) stats.prunedByProof++;
        else if (contradictory(ctx, litsA[a], litsB[b], [...pa.conds, ...pb.conds])) stats.prunedByLiterals++;
        else candidates.push({ a, b, conj: ctx.And(conjA[a], conjB[b]) as Z3Bool });
      }),
    );
    done += combo.pathsA.length * combo.pathsB.length - candidates.length;
    o.progress?.(done, pairs);
    if (candidates.length === 0) continue;

    const background = [...combo.assumptions, ...combo.inputs.axioms];
    const solver = new ctx.Solver();
    solver.set("timeout", o.timeoutMs ?? 60_000);
    try {
      for (const f of background) solver.add(f);
      solver.add(ctx.Or(...candidates.map((c) => c.conj)) as Z3Bool);
      const open = new Set(candidates.keys());
      while (open.size > 0) {
        stats.queries++;
        const r = await solver.check();
        if (r === "unsat") break;
        if (r === "unknown") {
          stats.undecided += open.size;
          break;
        }
        const model = solver.model();
        // Each side's paths are disjoint: the model takes one of A's and one of B's.
        const taken = (conjs: Z3Bool[]) => conjs.findIndex((t) => ctx.isTrue(model.eval(t, true)));
        const [a, b] = [taken(conjA), taken(conjB)];
        const found = [...open].find((i) => candidates[i].a === a && candidates[i].b === b);
        if (found === undefined) throw new Error("internal: a model of the pairs' disjunction satisfies none of them");
        const c = candidates[found];
        open.delete(found);
        solver.add(ctx.Not(c.conj) as Z3Bool);
        const constraint = and(ctx, [c.conj, ...background]);
        await visit({ combo, a: c.a, b: c.b, pa: combo.pathsA[c.a], pb: combo.pathsB[c.b], constraint, model });
        o.progress?.(++done, pairs);
      }
      done += open.size;
      o.progress?.(done, pairs);
    } finally {
      solver.release();
    }
  }
  return stats;
}

function and(ctx: Z3Context, xs: readonly Z3Bool[]): Z3Bool {
  return (xs.length === 0 ? ctx.Bool.val(true) : xs.length === 1 ? xs[0] : ctx.And(...xs)) as Z3Bool;
}
