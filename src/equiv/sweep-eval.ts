// The sweep's own evaluation of terms: a model is read once, as the values of the leaves the
// combination's terms reach (input constants, and each uninterpreted-function application, the AT
// results, as a whole), and every condition, class constraint and scenario value is then
// evaluated by faultc (term/evaluate.ts, on the terms themselves), never by the solver. The same
// for every back end: z3's WebAssembly model evaluation costs a call into Emscripten per term, a
// native solver's model has only values; and a model the solver gives is checked here, by other
// code than the solver's, before a scenario is drawn from it.
import { TermKind, type Term } from "./term/term.ts";
import { foldTerm } from "./term/fold.ts";
import { evaluateTerm, type TermValue } from "./term/evaluate.ts";
import { literal } from "./smt/values.ts";
import { parseSexpr } from "./smt/sexpr.ts";
import type { SolverModel } from "./smt/session.ts";

export type BitsValue = { w: number; v: bigint };

const NO_FUNCTIONS: ReadonlyMap<string, ReadonlyMap<bigint, bigint>> = new Map();

/** Constants by name, some replaced, the rest another's; one no model was read for is an internal error, never a default. */
class ReadConstants extends Map<string, TermValue> {
  constructor(private readonly base?: ReadConstants) {
    super();
  }

  override get(name: string): TermValue | undefined {
    const v = super.get(name) ?? this.base?.get(name);
    if (v === undefined) throw new Error(`internal: ${name} evaluated before the model's value of it was read`);
    return v;
  }
}

/**
 * A memo that falls back on another assignment's: a subterm that depends on none of the leaves
 * replaced has the value it has there, so a fill that changes one input evaluates only what that
 * input reaches. The evaluator asks `has` before it reads a subterm, so that is where an
 * inherited value is taken (and kept).
 */
class InheritedMemo extends Map<Term, TermValue> {
  constructor(
    private readonly parent: Assignment,
    private readonly unchanged: (t: Term) => boolean,
  ) {
    super();
  }

  override has(t: Term): boolean {
    if (super.has(t)) return true;
    if (!this.unchanged(t)) return false;
    super.set(t, this.parent.value(t));
    return true;
  }
}

/** Values of the leaves, and the terms evaluated in them (each subterm once). */
export class Assignment {
  private readonly memo: Map<Term, TermValue>;
  private readonly model: { consts: ReadConstants; functions: typeof NO_FUNCTIONS };

  constructor(
    /** The leaves' values (constants, and the AT results, each as a whole); with `inherit`, those replaced. */
    leaves: ReadonlyMap<Term, TermValue>,
    inherit?: { from: Assignment; unchanged: (t: Term) => boolean },
  ) {
    const consts = new ReadConstants(inherit?.from.model.consts);
    this.memo = inherit === undefined ? new Map() : new InheritedMemo(inherit.from, inherit.unchanged);
    for (const [t, v] of leaves) {
      if (t.kind === TermKind.Constant) consts.set(t.op, v);
      // An application's value is the model's, whatever its argument evaluates to.
      else this.memo.set(t, v);
    }
    this.model = { consts, functions: NO_FUNCTIONS };
  }

  value(t: Term): TermValue {
    return evaluateTerm(t, this.model, this.memo);
  }

  truth(t: Term): boolean {
    const v = this.value(t);
    if (typeof v !== "boolean") throw new Error("internal: a condition evaluated to a bit-vector");
    return v;
  }

  bits(t: Term): BitsValue {
    const v = this.value(t);
    if (typeof v === "boolean") throw new Error("internal: a value evaluated to a Boolean");
    return { w: t.width, v };
  }

  /**
   * The same leaves with some replaced. `unchanged` says of a subterm that it reaches none of
   * the replaced leaves: its value is then this assignment's.
   */
  with(replaced: ReadonlyMap<Term, TermValue>, unchanged: (t: Term) => boolean = () => false): Assignment {
    // A leaf not replaced is inherited as any unchanged subterm is; an AT result always (its value is the model's, not its argument's).
    return new Assignment(replaced, { from: this, unchanged: (t) => !replaced.has(t) && (t.kind === TermKind.Application || unchanged(t)) });
  }
}

/** One capability combination's terms, and the leaves a model must give. */
export class CombinationTerms {
  /** Every leaf the registered terms reach: constants, and the AT results. */
  private readonly leaves = new Set<Term>();
  private readonly applications: ReadonlySet<Term>;
  private readonly walked = new Set<Term>();
  private readonly reaches = new Map<string, (t: Term) => bigint>();

  constructor(
    /** The uninterpreted-function applications (AT results): each is a leaf, valued by the model as a whole. */
    applications: readonly Term[],
  ) {
    this.applications = new Set(applications);
  }

  /** `t`, its leaves registered. */
  tree(t: Term): Term {
    const stack: Term[] = [t];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (this.walked.has(s)) continue;
      this.walked.add(s);
      if (s.kind === TermKind.Constant) this.leaves.add(s);
      else if (s.kind === TermKind.Application) {
        if (!this.applications.has(s)) throw new Error(`internal: an application of ${s.op} that is no AT result of the combination`);
        this.leaves.add(s);
      } else stack.push(...s.args);
    }
    return t;
  }

  /**
   * Which of `leaves` each subterm reaches, as a bit mask (bit i: leaves[i]); a leaf (an input
   * constant, an AT result) reaches only itself, and an AT result none when it is not one of
   * `leaves` (its value is the model's, whatever its argument's).
   */
  reach(leaves: readonly Term[]): (t: Term) => bigint {
    // One per choice of leaves: every class of the combination has the same named inputs.
    const key = leaves.map((t) => t.id()).join(" ");
    let r = this.reaches.get(key);
    if (r === undefined) this.reaches.set(key, (r = this.reachOf(leaves)));
    return r;
  }

  private reachOf(leaves: readonly Term[]): (t: Term) => bigint {
    const masks = new Map<Term, bigint>(leaves.map((t, i) => [t, 1n << BigInt(i)]));
    return (root) => {
      const known = masks.get(root);
      if (known !== undefined) return known;
      // An AT result not among the leaves reaches none of them, whatever its argument reaches.
      return foldTerm(root, masks, (t, args) => (t.kind !== TermKind.Operator ? 0n : args.reduce((m, x) => m | x, 0n)));
    };
  }

  /** The leaves' values in `model` (completed: a leaf it leaves out has its default). */
  read(model: SolverModel): Assignment {
    const values = new Map<Term, TermValue>();
    for (const t of this.leaves) {
      const text = model.eval(t, true).toString();
      const v = literal(text.startsWith("(") ? parseSexpr(text) : text);
      if (v === undefined) throw new Error(`internal: a model's value of ${t.kind === TermKind.Constant ? t.op : `an application of ${t.op}`} is no literal: ${text.slice(0, 100)}`);
      values.set(t, typeof v === "boolean" ? v : v.v);
    }
    return new Assignment(values);
  }
}
