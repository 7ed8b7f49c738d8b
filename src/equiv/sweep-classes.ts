// The sweep's input classes: the pairs of paths (one of side A's, one of side B's) that some input
// takes together, under one capability combination, each with a model of it. Most pairs are
// infeasible, and asking about each costs a query; instead:
//  - pairs the proof already showed infeasible are dropped: when it proved equivalence, every
//    "A has outcome X, B has Y != X" check was unsatisfiable, so no input takes two paths of
//    different outcomes;
//  - pairs whose conditions hold a literal and its negation are dropped without the solver;
//  - the models the exploration already found (each path's witness) are read first: each is an
//    input, and the pair of paths it takes is a class with no question asked;
//  - the rest are asked as one disjunction, of the proof's own checker (the proof's solver, native
//    or embedded, with the combination's background asserted already): each model satisfies
//    exactly one pair (each side's paths are disjoint), which is then left out of the next
//    disjunction, until it is unsatisfiable. One query per class no witness showed, plus one
//    per combination with a pair left.
// Which pair a model takes, and that it satisfies the pair and the background, is decided by
// faultc's own evaluation of the conditions (sweep-eval.ts), not taken from the solver.
// The classes found are visited (their concrete runs) while the solver answers the next query,
// in the order they were found (Backlog): the solver works in its own process (or thread) in
// the meantime, and what a visit reports does not depend on how long the solver took.
import type { Combination, Proof } from "./prove.ts";
import type { SolverModel } from "./smt/session.ts";
import { outcomeKey, type SymbolicPath } from "./symbolic/paths.ts";
import { Assignment, CombinationTerms } from "./sweep-eval.ts";
import type { BoolTerm, TermContext } from "./term/term.ts";

export interface InputClass {
  combo: Combination;
  /** Indices into combo.pathsA and combo.pathsB. */
  a: number;
  b: number;
  pa: SymbolicPath;
  pb: SymbolicPath;
  /** The pair's conditions and the combination's background (assumptions and axioms): every scenario of the class satisfies them all. */
  constraint: readonly BoolTerm[];
  /** A model of the constraint: a path's witness, or the solver's answer to the sweep's question. */
  model: SolverModel;
  /** The model's values, as faultc reads and evaluates them. */
  at: Assignment;
  terms: CombinationTerms;
  /** Whether the model is a witness the exploration found (no query of the sweep's). */
  witnessed: boolean;
}

export interface ClassSearch {
  /** Path pairs in all combinations. */
  pairs: number;
  /** Dropped as infeasible by the proof's own obligation-1 checks. */
  prunedByProof: number;
  /** Dropped for a literal and its negation in the two conditions. */
  prunedByLiterals: number;
  /** Classes found in the exploration's witnesses, with no query. */
  witnessed: number;
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
function literals(ctx: TermContext, conds: readonly BoolTerm[]): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const c of conds) {
    if (ctx.isNot(c)) out.set((c.arg(0) as BoolTerm).id(), false);
    else out.set(c.id(), true);
  }
  return out;
}

/** A literal of one map negated in the other. */
function contradictory(x: Map<number, boolean>, y: Map<number, boolean>): boolean {
  for (const [id, polarity] of x) if (y.get(id) === !polarity) return true;
  return false;
}

/**
 * Work to do in order, done while a query is out: each task runs after the ones added before
 * it, and `during` runs tasks until the query's answer is in (the event loop is let in between
 * tasks, so that the answer can arrive), so the solver's time and this thread's overlap.
 */
class Backlog {
  private readonly tasks: (() => void | Promise<void>)[] = [];

  add(task: () => void | Promise<void>): void {
    this.tasks.push(task);
  }

  /** `answer`, with tasks run while it is awaited. */
  async during<T>(answer: Promise<T>): Promise<T> {
    let settled = false;
    // Also marks a rejection handled, should a task throw first.
    void answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise<void>((r) => setImmediate(r));
    while (!settled && this.tasks.length > 0) {
      await this.tasks.shift()!();
      await new Promise<void>((r) => setImmediate(r));
    }
    return answer;
  }

  async drain(): Promise<void> {
    while (this.tasks.length > 0) await this.tasks.shift()!();
  }
}

/**
 * Calls `visit` with each input class of each combination, in a deterministic order. `progress`
 * counts pairs decided out of all pairs. The proof's session must still be open.
 */
export async function searchClasses(
  proof: Proof,
  visit: (c: InputClass) => void | Promise<void>,
  o: { progress?: (done: number, total: number) => void } = {},
): Promise<ClassSearch> {
  const pairs = proof.combos.reduce((n, c) => n + c.pathsA.length * c.pathsB.length, 0);
  const stats: ClassSearch = { pairs, prunedByProof: 0, prunedByLiterals: 0, witnessed: 0, queries: 0, undecided: 0 };
  const sameOutcomes = outcomesProvenEqual(proof);
  // Visits and progress, in the order they happen; the queries overlap them.
  const backlog = new Backlog();
  let done = 0;
  const progress = (n: number) => {
    if (o.progress) backlog.add(() => o.progress!(n, pairs));
  };
  for (const combo of proof.combos) {
    const { ctx } = combo.inputs.d;
    const litsA = combo.pathsA.map((p) => literals(ctx, p.conds));
    const litsB = combo.pathsB.map((p) => literals(ctx, p.conds));
    // A path with a literal false in its conditions is in no pair.
    const [falseA, falseB] = [combo.pathsA, combo.pathsB].map((ps) => ps.map((p) => p.conds.some((c) => ctx.isFalse(c))));
    const pairKey = (a: number, b: number) => a * combo.pathsB.length + b;
    /** Pairs still to find, by key; and those the proof showed infeasible (a model of one is a finding, and is visited). */
    const open = new Map<number, { a: number; b: number }>();
    const infeasible = new Set<number>();
    combo.pathsA.forEach((pa, a) =>
      combo.pathsB.forEach((pb, b) => {
        if (sameOutcomes && outcomeKey(pa.outcome) !== outcomeKey(pb.outcome)) stats.prunedByProof++, infeasible.add(pairKey(a, b));
        else if (falseA[a] || falseB[b] || contradictory(litsA[a], litsB[b])) stats.prunedByLiterals++;
        else open.set(pairKey(a, b), { a, b });
      }),
    );
    done += combo.pathsA.length * combo.pathsB.length - open.size;
    progress(done);
    if (open.size === 0) continue;

    const background = [...combo.assumptions, ...combo.inputs.axioms];
    const terms = new CombinationTerms(combo.inputs.atApplications.map((x) => combo.inputs.d.term(x.par)));
    // Every leaf a model is read for: the conditions, the background, the scenario's inputs and AT's operands.
    // (as nodes of the combination's program, which is what is evaluated)
    const [condsA, condsB] = [combo.pathsA, combo.pathsB].map((ps) => ps.map((p) => p.conds.map((c) => terms.node(c))));
    const backgroundTrees = background.map((t) => terms.node(t));
    for (const n of combo.inputs.namedInputs()) if (!("c" in n.value)) terms.tree(n.value.z);
    for (const x of combo.inputs.atApplications) if (!("c" in x.va)) terms.tree(x.va.z);
    const [outcomesA, outcomesB] = [combo.pathsA, combo.pathsB].map((ps) => ps.map((p) => outcomeKey(p.outcome)));
    /**
     * The path whose conditions hold, of the paths `conds` lists. Each side's paths are
     * disjoint, so the first that holds is the one, and the order they are tried in changes
     * only the cost: for a witness of a path, that path first, then the paths of its outcome
     * (the other side's most likely: when the proof holds, no input takes paths of different
     * outcomes), then the rest.
     */
    const taken = (at: Assignment, conds: typeof condsA, outcomes: readonly string[], hint?: { path: number | undefined; outcome: string }) => {
      const indices = conds.map((_, i) => i);
      const order = hint === undefined ? indices : [...indices.filter((i) => i === hint.path), ...indices.filter((i) => i !== hint.path && outcomes[i] === hint.outcome), ...indices.filter((i) => i !== hint.path && outcomes[i] !== hint.outcome)];
      return order.find((i) => conds[i].every((c) => at.truthAt(c))) ?? -1;
    };

    /** Adds the visit of the class `model` is in if it is one not seen yet; false if `model` is no model of the background. `of`: the path it is a witness of. */
    const found = new Set<number>();
    const place = (model: SolverModel, witnessed: boolean, of?: { a: number } | { b: number }): boolean => {
      const at = terms.read(model);
      if (!backgroundTrees.every((t) => at.truthAt(t))) return false;
      const [ofA, ofB] = of === undefined ? [undefined, undefined] : "a" in of ? [of.a, undefined] : [undefined, of.b];
      const outcome = ofA !== undefined ? outcomesA[ofA] : ofB !== undefined ? outcomesB[ofB] : undefined;
      const [a, b] = [taken(at, condsA, outcomesA, outcome === undefined ? undefined : { path: ofA, outcome }), taken(at, condsB, outcomesB, outcome === undefined ? undefined : { path: ofB, outcome })];
      if (a < 0 || b < 0) throw new Error(`internal: a model of the background takes no path of side ${a < 0 ? "A" : "B"} (capabilities {${combo.caps.join(", ")}})`);
      const key = pairKey(a, b);
      if (found.has(key) || (!open.has(key) && !infeasible.has(key))) return true;
      found.add(key);
      if (open.delete(key)) progress(++done);
      if (witnessed) stats.witnessed++;
      const [pa, pb] = [combo.pathsA[a], combo.pathsB[b]];
      const c: InputClass = { combo, a, b, pa, pb, constraint: [...pa.conds, ...pb.conds, ...background], model, at, terms, witnessed };
      backlog.add(() => visit(c));
      return true;
    };

    // The exploration's witnesses first, in path order, each model once, and only a witness of a
    // path with a pair still to find (a witness of a path is a model of that path).
    const read = new Set<SolverModel>();
    const witnesses = [...combo.pathsA.map((p, a) => ({ p, path: { a }, open: (k: { a: number }) => k.a === a })), ...combo.pathsB.map((p, b) => ({ p, path: { b }, open: (k: { b: number }) => k.b === b }))];
    for (const { p, path, open: of } of witnesses) {
      if (open.size === 0) break;
      if (p.witness === undefined || read.has(p.witness.model) || ![...open.values()].some(of)) continue;
      read.add(p.witness.model);
      place(p.witness.model, true, path);
    }

    // Then the solver, for the pairs no witness took.
    const conj = (conds: readonly BoolTerm[]): BoolTerm => (conds.length === 0 ? ctx.Bool.val(true) : conds.length === 1 ? conds[0] : ctx.And(...conds)) as BoolTerm;
    const [conjA, conjB] = [combo.pathsA, combo.pathsB].map((ps) => ps.map((p) => conj(p.conds)));
    // The disjunction of the pairs left is asserted once; each pair a model is then found in is
    // excluded by its negation (the same question, and each query adds only that condition: a
    // query is written whole, every subterm of it, and the solver reads it anew).
    const pair = (k: { a: number; b: number }) => ctx.And(conjA[k.a], conjB[k.b]) as BoolTerm;
    const asked = [...open.values()].map(pair);
    const question: BoolTerm[] = [asked.length === 1 ? asked[0] : (ctx.Or(...asked) as BoolTerm)];
    while (open.size > 0) {
      stats.queries++;
      const r = await backlog.during(combo.checker.witness(question));
      if (r.result === "unsat") break;
      if (r.result === "unknown" || r.witness === undefined) {
        stats.undecided += open.size;
        break;
      }
      const before = new Map(open);
      if (!place(r.witness.model, false)) throw new Error("internal: the solver's model of the pairs' disjunction is no model of the background");
      const taken = [...before].find(([key]) => !open.has(key));
      if (taken === undefined) throw new Error("internal: a model of the pairs' disjunction satisfies none of them");
      question.push(ctx.Not(pair(taken[1])) as BoolTerm);
    }
    done += open.size;
    progress(done);
  }
  await backlog.drain();
  return stats;
}
