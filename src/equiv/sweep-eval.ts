// The sweep's own evaluation of terms: a model is read once, as the values of the leaves the
// combination's terms reach (input constants, and each uninterpreted-function application, the AT
// results, as a whole), and every condition, class constraint and scenario value is then
// evaluated by faultc (smt/evaluate.ts), never by the solver. The same for every back end: z3's
// WebAssembly model evaluation costs a call into Emscripten per term, a native solver's model has
// only values; and a model the solver gives is checked here, by other code than the solver's,
// before a scenario is drawn from it.
import type { BvTerm, BoolTerm, TermContext } from "./term/term.ts";
import { evaluate, literal, type BitsValue, type ModelValues, type Value } from "./smt/evaluate.ts";
import { INTERNAL_PREFIX, NativeSession } from "./smt/native.ts";
import { TermPrinter } from "./smt/print.ts";
import { parseSexpr, type Sexpr } from "./smt/sexpr.ts";
import type { SolverModel, SolverSession } from "./smt/session.ts";
import { symbolInfo } from "./smt/symbols.ts";

type Term = BoolTerm | BvTerm;

/** The names a tree refers to directly (its arguments, not an operator). */
function children(s: Sexpr): string[] {
  const out: string[] = [];
  const stack: Sexpr[] = [s];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (typeof x === "string") out.push(x);
    else if (x[0] !== "_") for (let i = 1; i < x.length; i++) stack.push(x[i]);
  }
  return out;
}

/** Terms as trees over named compound subterms (smt/print.ts). */
export interface TermTrees {
  tree(t: Term): Sexpr;
  readonly definitions: ReadonlyMap<string, Sexpr>;
}

/** The native session's trees (every term the proof asked is read already), else a printer of the sweep's own. */
export async function termTrees(session: SolverSession, ctx: TermContext): Promise<TermTrees> {
  if (session instanceof NativeSession) return session;
  const printer = new TermPrinter(`${INTERNAL_PREFIX}s`);
  return { tree: (t) => printer.text(t), definitions: printer.definitions };
}

const NO_FUNCTIONS: ReadonlyMap<string, ReadonlyMap<bigint, bigint>> = new Map();
/** Only operators are looked up: every leaf a term reaches is read from the model before it is evaluated. */
const sortOf = (n: string): undefined => {
  if (symbolInfo(n) !== undefined) throw new Error(`internal: ${n} evaluated before the model's value of it was read`);
  return undefined;
};

/**
 * A memo that falls back on another assignment's: a subterm that depends on none of the leaves
 * replaced has the value it has there, so a fill that changes one input evaluates only what that
 * input reaches.
 */
class InheritedMemo extends Map<string, Value> {
  constructor(
    private readonly parent: Assignment,
    private readonly unchanged: (name: string) => boolean,
  ) {
    super();
  }

  override get(name: string): Value | undefined {
    return super.get(name) ?? (this.unchanged(name) ? this.parent.value(name) : undefined);
  }
}

/** Leaves some of which are replaced, the rest another assignment's (not copied). */
class ReplacedLeaves extends Map<string, Value> {
  constructor(
    private readonly base: ReadonlyMap<string, Value>,
    replaced: ReadonlyMap<string, Value>,
  ) {
    super(replaced);
  }

  override get(name: string): Value | undefined {
    return super.get(name) ?? this.base.get(name);
  }

  override has(name: string): boolean {
    return super.has(name) || this.base.has(name);
  }
}

/** Values of the leaves, and the terms evaluated in them (each named subterm once). */
export class Assignment {
  private readonly model: ModelValues;
  constructor(
    readonly leaves: ReadonlyMap<string, Value>,
    private readonly definitions: ReadonlyMap<string, Sexpr>,
    inherit?: { from: Assignment; unchanged: (name: string) => boolean },
  ) {
    const memo = inherit === undefined ? new Map() : new InheritedMemo(inherit.from, inherit.unchanged);
    this.model = { consts: leaves, functions: NO_FUNCTIONS, sortOf, definitions, memo };
  }

  value(tree: Sexpr): Value {
    return evaluate(tree, this.model);
  }

  truth(tree: Sexpr): boolean {
    const v = this.value(tree);
    if (typeof v !== "boolean") throw new Error("internal: a condition evaluated to a bit-vector");
    return v;
  }

  bits(tree: Sexpr): BitsValue {
    const v = this.value(tree);
    if (typeof v === "boolean") throw new Error("internal: a value evaluated to a Boolean");
    return v;
  }

  /**
   * The same leaves with some replaced (by name). `unchanged` says of a named subterm that it
   * reaches none of the replaced leaves: its value is then this assignment's.
   */
  with(replaced: ReadonlyMap<string, Value>, unchanged: (name: string) => boolean = () => false): Assignment {
    return new Assignment(new ReplacedLeaves(this.leaves, replaced), this.definitions, { from: this, unchanged });
  }
}

/** One capability combination's terms: their trees, and the leaves a model must give. */
export class CombinationTerms {
  /** Leaf name -> the term a model is asked the value of. */
  private readonly leaves = new Map<string, Term>();
  private readonly applications = new Map<string, Term>();
  private readonly walked = new Set<string>();
  private readonly trees = new Map<number, Sexpr>();
  private readonly reaches = new Map<string, (name: string) => bigint>();
  /** Terms whose trees are kept, so that their ids stay theirs. */
  private readonly kept: Term[] = [];

  constructor(
    private readonly source: TermTrees,
    private readonly ctx: TermContext,
    /** The uninterpreted-function applications (AT results): each is a leaf, valued by the model as a whole. */
    applications: readonly Term[],
  ) {
    for (const app of applications) {
      const name = source.tree(app);
      if (typeof name === "string") this.applications.set(name, app);
    }
  }

  get definitions(): ReadonlyMap<string, Sexpr> {
    return this.source.definitions;
  }

  /** `t`'s tree, its leaves registered. */
  tree(t: Term): Sexpr {
    let s = this.trees.get(t.id());
    if (s === undefined) {
      s = this.source.tree(t);
      // A root literal is printed as text, not read.
      if (typeof s === "string" && s.startsWith("(")) s = parseSexpr(s);
      this.trees.set(t.id(), s);
      this.kept.push(t);
      this.walk(s);
    }
    return s;
  }

  private walk(root: Sexpr): void {
    const stack: Sexpr[] = [root];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (Array.isArray(s)) {
        if (s[0] === "_") continue;
        for (let i = 1; i < s.length; i++) stack.push(s[i]);
        continue;
      }
      if (this.walked.has(s) || literal(s) !== undefined) continue;
      this.walked.add(s);
      const body = this.source.definitions.get(s);
      if (body !== undefined) {
        if (Array.isArray(body) && typeof body[0] === "string" && symbolInfo(body[0])?.arity === 1) {
          const app = this.applications.get(s);
          if (app === undefined) throw new Error(`internal: an application of ${body[0]} that is no AT result of the combination`);
          this.leaves.set(s, app);
        }
        stack.push(body);
        continue;
      }
      const info = symbolInfo(s);
      if (info === undefined || info.arity !== 0) throw new Error(`internal: unknown symbol ${s} in a term`);
      this.leaves.set(s, info.sort === "bool" ? (this.ctx.Bool.const(s) as BoolTerm) : (this.ctx.BitVec.const(s, info.sort) as BvTerm));
    }
  }

  /**
   * Which of `leaves` each named subterm reaches, as a bit mask (bit i: leaves[i]); a leaf that
   * is itself a named subterm (an AT result, or an input replaced whole) reaches only itself.
   */
  reach(leaves: readonly string[]): (name: string) => bigint {
    // One per choice of leaves: every class of the combination has the same named inputs.
    const key = leaves.join(" ");
    let r = this.reaches.get(key);
    if (r === undefined) this.reaches.set(key, (r = this.reachOf(leaves)));
    return r;
  }

  private reachOf(leaves: readonly string[]): (name: string) => bigint {
    const bit = new Map(leaves.map((n, i) => [n, 1n << BigInt(i)]));
    const masks = new Map<string, bigint>();
    const of = (s: Sexpr): bigint => {
      if (Array.isArray(s)) return s[0] === "_" ? 0n : s.slice(1).reduce((m: bigint, x) => m | of(x), 0n);
      const b = bit.get(s);
      if (b !== undefined) return b;
      const known = masks.get(s);
      if (known !== undefined) return known;
      const body = this.source.definitions.get(s);
      if (body === undefined) return 0n;
      // A subterm whose children are all known is done at once; else children first (no deep recursion).
      const stack: string[] = [s];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const pending = children(this.source.definitions.get(top)!).filter((c) => !bit.has(c) && !masks.has(c) && this.source.definitions.has(c));
        if (pending.length > 0) {
          stack.push(...pending);
          continue;
        }
        stack.pop();
        if (!masks.has(top)) masks.set(top, of(this.source.definitions.get(top)!));
      }
      return masks.get(s)!;
    };
    return (name) => of(name);
  }

  /** The leaves' values in `model` (completed: a leaf it leaves out has its default). */
  read(model: SolverModel): Assignment {
    const values = new Map<string, Value>();
    for (const [name, t] of this.leaves) {
      const text = model.eval(t, true).toString();
      const v = literal(text.startsWith("(") ? parseSexpr(text) : text);
      if (v === undefined) throw new Error(`internal: a model's value of ${name} is no literal: ${text.slice(0, 100)}`);
      values.set(name, v);
    }
    return new Assignment(values, this.source.definitions);
  }
}
