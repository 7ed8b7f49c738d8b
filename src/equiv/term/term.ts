// faultc's own terms for the prover: quantifier-free bit-vector and Boolean terms, made once per
// structure (hash-consed: the same operator on the same arguments is the same object, with the
// same id, for as long as anything holds it), each with its static sort. The symbolic domain,
// the explorers and the obligations build them; a solver back end reads them (smt/print.ts writes
// SMT-LIB 2 for a native solver, smt/wasm.ts makes z3-solver's terms of them), and term/evaluate.ts
// evaluates them in a model. No solver is loaded to build one: a proof on a native solver never
// loads z3-solver's WebAssembly at all.
//
// The operations are named as z3-solver's API names them (a.add(b), ctx.And(...)), which the
// prover was first written against; each is an SMT-LIB 2 operator, which is what `op` holds.

/** "bool", or a bit-vector's width. */
export type Sort = "bool" | number;

export const enum TermKind {
  /** A bit-vector literal (`value`, width `sort`). */
  Numeral,
  /** true or false (`op`). */
  BoolLiteral,
  /** A declared constant (`op` is its name). */
  Constant,
  /** An SMT-LIB operator (`op`, indices in `params`) applied to `args`. */
  Operator,
  /** A declared uninterpreted function (`op` is its name) applied to `args`. */
  Application,
}

let nextId = 0;

/** Terms by structure, held weakly: a term nobody holds is made anew (with a new id) when asked again. */
const made = new Map<string, WeakRef<Term>>();
const forget = new FinalizationRegistry<string>((key) => {
  const ref = made.get(key);
  if (ref !== undefined && ref.deref() === undefined) made.delete(key);
});

function intern(key: string, make: () => Term): Term {
  const known = made.get(key)?.deref();
  if (known !== undefined) return known;
  const t = make();
  made.set(key, new WeakRef(t));
  forget.register(t, key);
  return t;
}

const BOOL_OPS = new Set(["=", "bvult", "bvule", "bvugt", "bvslt", "bvsle", "and", "or", "not", "=>", "at-most"]);

export class Term {
  readonly #id = nextId++;

  constructor(
    readonly kind: TermKind,
    readonly op: string,
    readonly args: readonly Term[],
    readonly params: readonly number[],
    readonly sort: Sort,
    readonly value: bigint = 0n,
  ) {}

  /** Unique among the terms alive: equal ids, the same term. */
  id(): number {
    return this.#id;
  }

  /** A bit-vector's width (an internal error for a Boolean). */
  get width(): number {
    if (this.sort === "bool") throw new Error("internal: a Boolean term has no width");
    return this.sort;
  }

  arg(i: number): Term {
    return this.args[i];
  }

  add(b: Term): Term {
    return op("bvadd", [this, same(this, b)]);
  }
  sub(b: Term): Term {
    return op("bvsub", [this, same(this, b)]);
  }
  mul(b: Term): Term {
    return op("bvmul", [this, same(this, b)]);
  }
  and(b: Term): Term {
    return op("bvand", [this, same(this, b)]);
  }
  or(b: Term): Term {
    return op("bvor", [this, same(this, b)]);
  }
  xor(b: Term): Term {
    return op("bvxor", [this, same(this, b)]);
  }
  not(): Term {
    return op("bvnot", [bits(this)]);
  }
  shl(b: Term): Term {
    return op("bvshl", [this, same(this, b)]);
  }
  lshr(b: Term): Term {
    return op("bvlshr", [this, same(this, b)]);
  }
  /** Arithmetic shift right. */
  shr(b: Term): Term {
    return op("bvashr", [this, same(this, b)]);
  }
  eq(b: Term): Term {
    if (this.sort !== b.sort) throw new Error(`internal: = of sorts ${this.sort} and ${b.sort}`);
    return op("=", [this, b]);
  }
  ult(b: Term): Term {
    return op("bvult", [this, same(this, b)]);
  }
  ule(b: Term): Term {
    return op("bvule", [this, same(this, b)]);
  }
  ugt(b: Term): Term {
    return op("bvugt", [this, same(this, b)]);
  }
  slt(b: Term): Term {
    return op("bvslt", [this, same(this, b)]);
  }
  sle(b: Term): Term {
    return op("bvsle", [this, same(this, b)]);
  }
  extract(hi: number, lo: number): Term {
    if (!(0 <= lo && lo <= hi && hi < this.width)) throw new Error(`internal: extract ${hi} ${lo} of a ${this.width}-bit term`);
    return op("extract", [this], [hi, lo]);
  }
  zeroExt(n: number): Term {
    return op("zero_extend", [bits(this)], [n]);
  }
  signExt(n: number): Term {
    return op("sign_extend", [bits(this)], [n]);
  }
}

function bits(t: Term): Term {
  if (t.sort === "bool") throw new Error("internal: a Boolean where a bit-vector was expected");
  return t;
}

function same(a: Term, b: Term): Term {
  if (a.sort !== b.sort || a.sort === "bool") throw new Error(`internal: operands of sorts ${a.sort} and ${b.sort}`);
  return b;
}

function boolean(t: Term): Term {
  if (t.sort !== "bool") throw new Error("internal: a bit-vector where a Boolean was expected");
  return t;
}

function sortOf(name: string, args: readonly Term[], params: readonly number[]): Sort {
  if (BOOL_OPS.has(name)) return "bool";
  switch (name) {
    case "extract": return params[0] - params[1] + 1;
    case "zero_extend":
    case "sign_extend": return args[0].width + params[0];
    case "concat": return args.reduce((w, a) => w + a.width, 0);
    case "ite": return args[1].sort;
    default: return args[0].width;
  }
}

function op(name: string, args: readonly Term[], params: readonly number[] = []): Term {
  let key = `${name}`;
  for (const p of params) key += `,${p}`;
  for (const a of args) key += ` ${a.id()}`;
  return intern(key, () => new Term(TermKind.Operator, name, args, params, sortOf(name, args, params)));
}

const TRUE = new Term(TermKind.BoolLiteral, "true", [], [], "bool");
const FALSE = new Term(TermKind.BoolLiteral, "false", [], [], "bool");

/** A declared uninterpreted function of one bit-vector argument. */
export interface FunctionSymbol {
  readonly name: string;
  call(arg: Term): Term;
}

/** Where terms are made: literals, constants, and the n-ary and sort-generic operators. */
export class TermContext {
  readonly name = "faultc";

  readonly BitVec = {
    val: (value: bigint | number, width: number): Term => {
      const w = BigInt(width);
      const v = BigInt(value) & ((1n << w) - 1n);
      return intern(`#${width}:${v}`, () => new Term(TermKind.Numeral, "#", [], [], width, v));
    },
    const: (name: string, width: number): Term => constant(name, width),
  };

  readonly Bool = {
    val: (b: boolean): Term => (b ? TRUE : FALSE),
    const: (name: string): Term => constant(name, "bool"),
  };

  readonly Function = {
    declare: (name: string, from: number, to: number): FunctionSymbol => ({
      name,
      call: (arg: Term) => {
        if (arg.sort !== from) throw new Error(`internal: ${name} applied to a term of sort ${arg.sort}`);
        return intern(`@${name} ${arg.id()}`, () => new Term(TermKind.Application, name, [arg], [], to));
      },
    }),
  };

  And(...xs: Term[]): Term {
    if (xs.length === 0) return TRUE;
    return op("and", xs.map(boolean));
  }
  Or(...xs: Term[]): Term {
    if (xs.length === 0) return FALSE;
    return op("or", xs.map(boolean));
  }
  Not(x: Term): Term {
    return op("not", [boolean(x)]);
  }
  Implies(a: Term, b: Term): Term {
    return op("=>", [boolean(a), boolean(b)]);
  }
  If(c: Term, a: Term, b: Term): Term {
    if (a.sort !== b.sort) throw new Error(`internal: ite of sorts ${a.sort} and ${b.sort}`);
    return op("ite", [boolean(c), a, b]);
  }
  Concat(...xs: Term[]): Term {
    if (xs.length === 1) return bits(xs[0]);
    return op("concat", xs.map(bits));
  }
  /** At most k of xs hold (a pseudo-Boolean constraint: z3's `(_ at-most k)`). */
  AtMost(xs: readonly Term[], k: number): Term {
    return op("at-most", xs.map(boolean), [k]);
  }

  isNot(t: Term): boolean {
    return t.kind === TermKind.Operator && t.op === "not";
  }
  isFalse(t: Term): boolean {
    return t === FALSE;
  }
}

const constants = new Map<string, Term>();

/** A constant: one term per name for the process (a name has one sort). */
function constant(name: string, sort: Sort): Term {
  let t = constants.get(name);
  if (t === undefined) constants.set(name, (t = new Term(TermKind.Constant, name, [], [], sort)));
  else if (t.sort !== sort) throw new Error(`internal: constant ${name} made of sorts ${t.sort} and ${sort}`);
  return t;
}

const context = new TermContext();

/** The process's term context. */
export function termContext(): TermContext {
  return context;
}

/** A Boolean term and a bit-vector term: the same class, the names say which is meant. */
export type BoolTerm = Term;
export type BvTerm = Term;
