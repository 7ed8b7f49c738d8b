// The sweep's own evaluation of terms: a model is read once, as the values of the leaves the
// combination's terms reach (input constants, and each uninterpreted-function application, the AT
// results, as a whole), and every condition, class constraint and scenario value is then
// evaluated by faultc (term/compiled.ts: the combination's terms compiled once, as one program
// every assignment of the combination is evaluated over), never by the solver. The same
// for every back end: z3's WebAssembly model evaluation costs a call into Emscripten per term, a
// native solver's model has only values; and a model the solver gives is checked here, by other
// code than the solver's, before a scenario is drawn from it.
import { TermKind, type Term } from "./term/term.ts";
import { ProgramValues, Reach, TermProgram, type TermValue } from "./term/compiled.ts";
import { literal } from "./smt/values.ts";
import { parseSexpr } from "./smt/sexpr.ts";
import type { SolverModel } from "./smt/session.ts";

export type BitsValue = { w: number; v: bigint };

/** The internal error of a leaf evaluated with no value read for it: never a default. */
const unread = (t: Term): Error => new Error(`internal: ${t.kind === TermKind.Constant ? t.op : `an application of ${t.op}`} evaluated before the model's value of it was read`);

/** Values of the leaves, and the terms evaluated in them (each subterm once). */
export class Assignment {
  constructor(
    private readonly terms: CombinationTerms,
    /** The values over the combination's program: the leaves', and those computed. */
    readonly values: ProgramValues,
  ) {}

  value(t: Term): TermValue {
    return this.values.get(this.terms.node(t));
  }

  truth(t: Term): boolean {
    return this.truthAt(this.terms.node(t));
  }

  /** The truth of the condition that is node `node` of the combination's program (CombinationTerms.node). */
  truthAt(node: number): boolean {
    const v = this.values.get(node);
    if (typeof v !== "boolean") throw new Error("internal: a condition evaluated to a bit-vector");
    return v;
  }

  bits(t: Term): BitsValue {
    const v = this.value(t);
    if (typeof v === "boolean") throw new Error("internal: a value evaluated to a Boolean");
    return { w: t.width, v };
  }

  /**
   * The same leaves with some replaced: each a node `reach` was made for. A subterm that reaches
   * none of them (by `reach`) has this assignment's value, and so has every leaf not replaced
   * (an AT result's value is the model's, not its argument's).
   */
  with(replaced: ReadonlyMap<Term, TermValue>, reach: Reach): Assignment {
    let changed = 0;
    const nodes: [number, TermValue][] = [];
    for (const [t, v] of replaced) {
      const i = this.terms.node(t);
      changed |= reach.bit(i);
      nodes.push([i, v]);
    }
    const values = new ProgramValues(this.terms.program, { values: this.values, reach, changed }, unread);
    for (const [i, v] of nodes) values.set(i, v);
    return new Assignment(this.terms, values);
  }
}

/** One capability combination's terms, compiled as one program, and the leaves a model must give. */
export class CombinationTerms {
  readonly program = new TermProgram();
  private readonly applications: ReadonlySet<Term>;
  private readonly reaches = new Map<string, Reach>();

  constructor(
    /** The uninterpreted-function applications (AT results): each is a leaf, valued by the model as a whole. */
    applications: readonly Term[],
  ) {
    this.applications = new Set(applications);
  }

  /** `t`, its leaves registered. */
  tree(t: Term): Term {
    this.node(t);
    return t;
  }

  /** `t`'s node in the program, added (its leaves registered) if it is new. */
  node(t: Term): number {
    return (
      this.program.indexOf(t) ??
      this.program.add(t, (s) => {
        if (s.kind === TermKind.Application && !this.applications.has(s)) throw new Error(`internal: an application of ${s.op} that is no AT result of the combination`);
      })
    );
  }

  /**
   * Which of `leaves` each subterm reaches (term/compiled.ts's Reach); a leaf (an input
   * constant, an AT result) reaches only itself, and an AT result none when it is not one of
   * `leaves` (its value is the model's, whatever its argument's).
   */
  reach(leaves: readonly Term[]): Reach {
    // One per choice of leaves: every class of the combination has the same named inputs.
    const nodes = leaves.map((t) => this.node(t));
    const key = nodes.join(" ");
    let r = this.reaches.get(key);
    if (r === undefined) this.reaches.set(key, (r = new Reach(this.program, nodes)));
    return r;
  }

  /** The leaves' values in `model` (completed: a leaf it leaves out has its default). */
  read(model: SolverModel): Assignment {
    const values = new ProgramValues(this.program, undefined, unread);
    for (const i of this.program.leaves) {
      const t = this.program.terms[i];
      const text = model.eval(t, true).toString();
      const v = literal(text.startsWith("(") ? parseSexpr(text) : text);
      if (v === undefined) throw new Error(`internal: a model's value of ${t.kind === TermKind.Constant ? t.op : `an application of ${t.op}`} is no literal: ${text.slice(0, 100)}`);
      values.set(i, typeof v === "boolean" ? v : v.v);
    }
    return new Assignment(this, values);
  }
}
