// Terms compiled for evaluation many times over: a term program holds each subterm once, as a node
// numbered after its arguments (children first), with its operation as a small code and the
// constants the operation needs (masks, shift amounts, sign bits) made once; a set of values is an
// array indexed by node. The sweep evaluates its classes' constraints in thousands of assignments
// that differ from one another in an input or two (sweep-eval.ts), and a Map lookup per subterm
// and per assignment, and a BigInt(width) per operation, were most of that time.
//
// The operators' semantics is written once, here (`nodeValue`): term/evaluate.ts evaluates one
// term at a time through the same function, each node compiled against its own arguments.
import { TermKind, type Term } from "./term.ts";

/** A Boolean, or a bit-vector's value: a bigint below 2^width. */
export type TermValue = boolean | bigint;

const enum Code {
  /** A numeral or a Boolean literal: `k0` (or `literal`). */
  Literal,
  /** A constant or an uninterpreted-function application: valued from outside (see Program and evaluate.ts). */
  Leaf,
  Not,
  And,
  Or,
  Implies,
  Eq,
  AtMost,
  Concat,
  Ite,
  BvNot,
  BvAdd,
  BvSub,
  BvMul,
  BvAnd,
  BvOr,
  BvXor,
  BvShl,
  BvLshr,
  BvAshr,
  BvUlt,
  BvUle,
  BvUgt,
  BvSlt,
  BvSle,
  Extract,
  ZeroExtend,
  SignExtend,
}

const CODES: Readonly<Record<string, Code>> = {
  not: Code.Not,
  and: Code.And,
  or: Code.Or,
  "=>": Code.Implies,
  "=": Code.Eq,
  "at-most": Code.AtMost,
  concat: Code.Concat,
  ite: Code.Ite,
  bvnot: Code.BvNot,
  bvadd: Code.BvAdd,
  bvsub: Code.BvSub,
  bvmul: Code.BvMul,
  bvand: Code.BvAnd,
  bvor: Code.BvOr,
  bvxor: Code.BvXor,
  bvshl: Code.BvShl,
  bvlshr: Code.BvLshr,
  bvashr: Code.BvAshr,
  bvult: Code.BvUlt,
  bvule: Code.BvUle,
  bvugt: Code.BvUgt,
  bvslt: Code.BvSlt,
  bvsle: Code.BvSle,
  extract: Code.Extract,
  zero_extend: Code.ZeroExtend,
  sign_extend: Code.SignExtend,
};

/** 2^w - 1 for the widths terms mostly have, made once. */
const MASKS: readonly bigint[] = Array.from({ length: 129 }, (_, w) => (1n << BigInt(w)) - 1n);
const mask = (w: number): bigint => (w < MASKS.length ? MASKS[w] : (1n << BigInt(w)) - 1n);

/**
 * One node: its code, its arguments (indices into the values it is evaluated over), and its
 * constants: `k0` the mask of the result (or the low bit of an extract), `k1` the operand's
 * width (shifts; an extract's mask), `k2` the operand's sign bit (signed operations), `n` a
 * count (at-most), `literal` a literal's value, `shifts` each concat operand's width. Every node
 * has every field, so that each is read at the same place in every node.
 */
export class CompiledNode {
  readonly a0: number;
  readonly a1: number;

  constructor(
    readonly code: Code,
    readonly args: readonly number[],
    readonly k0: bigint = 0n,
    readonly k1: bigint = 0n,
    readonly k2: bigint = 0n,
    readonly n: number = 0,
    readonly literal: TermValue = false,
    readonly shifts: readonly bigint[] | undefined = undefined,
  ) {
    this.a0 = args.length > 0 ? args[0] : -1;
    this.a1 = args.length > 1 ? args[1] : -1;
  }
}

/** `t` as a node whose i-th argument is `argIndex(t.args[i], i)`. */
export function compileNode(t: Term, argIndex: (a: Term, i: number) => number): CompiledNode {
  const args = t.args.map(argIndex);
  switch (t.kind) {
    case TermKind.Numeral:
      return new CompiledNode(Code.Literal, args, 0n, 0n, 0n, 0, t.value);
    case TermKind.BoolLiteral:
      return new CompiledNode(Code.Literal, args, 0n, 0n, 0n, 0, t.op === "true");
    case TermKind.Constant:
    case TermKind.Application:
      return new CompiledNode(Code.Leaf, args);
    case TermKind.Operator:
      break;
  }
  const code = CODES[t.op];
  if (code === undefined) throw new Error(`internal: no evaluation of ${t.op}`);
  const w = t.args.length > 0 && t.args[0].sort !== "bool" ? t.args[0].width : 0;
  switch (code) {
    case Code.AtMost:
      return new CompiledNode(code, args, 0n, 0n, 0n, t.params[0]);
    case Code.Concat:
      return new CompiledNode(code, args, 0n, 0n, 0n, 0, false, t.args.map((a) => BigInt(a.width)));
    case Code.Extract:
      return new CompiledNode(code, args, BigInt(t.params[1]), mask(t.params[0] - t.params[1] + 1));
    case Code.SignExtend:
      // The bits above the operand's, set when its sign bit is.
      return new CompiledNode(code, args, mask(w + t.params[0]) ^ mask(w), 0n, 1n << BigInt(w - 1));
    default:
      return w > 0 ? new CompiledNode(code, args, mask(w), BigInt(w), 1n << BigInt(w - 1)) : new CompiledNode(code, args);
  }
}

/**
 * The value of an operator node (or a literal) whose arguments' values are in `v`; an ite's
 * value is its taken branch's, which must be there (the untaken one need not be). A leaf has no
 * value here: whoever evaluates says what it is.
 */
export function nodeValue(n: CompiledNode, v: ArrayLike<TermValue | undefined>): TermValue {
  switch (n.code) {
    case Code.Literal: return n.literal;
    case Code.Not: return v[n.a0] !== true;
    case Code.And: {
      const args = n.args;
      for (let i = 0; i < args.length; i++) if (v[args[i]] !== true) return false;
      return true;
    }
    case Code.Or: {
      const args = n.args;
      for (let i = 0; i < args.length; i++) if (v[args[i]] === true) return true;
      return false;
    }
    case Code.Implies: return v[n.a0] !== true || v[n.a1] === true;
    case Code.Eq: return v[n.a0] === v[n.a1];
    case Code.AtMost: {
      const args = n.args;
      let set = 0;
      for (let i = 0; i < args.length; i++) if (v[args[i]] === true) set++;
      return set <= n.n;
    }
    case Code.Concat: {
      const args = n.args;
      const shifts = n.shifts!;
      let acc = 0n;
      for (let i = 0; i < args.length; i++) acc = (acc << shifts[i]) | (v[args[i]] as bigint);
      return acc;
    }
    case Code.Ite: return v[v[n.a0] === true ? n.a1 : n.args[2]]!;
    case Code.Leaf: throw new Error("internal: a leaf evaluated as an operator");
  }
  const x = v[n.a0] as bigint;
  switch (n.code) {
    case Code.BvNot: return ~x & n.k0;
    case Code.Extract: return (x >> n.k0) & n.k1;
    case Code.ZeroExtend: return x;
    case Code.SignExtend: return x & n.k2 ? x | n.k0 : x;
  }
  const y = v[n.a1] as bigint;
  switch (n.code) {
    case Code.BvAdd: return (x + y) & n.k0;
    case Code.BvSub: return (x - y) & n.k0;
    case Code.BvMul: return (x * y) & n.k0;
    case Code.BvAnd: return x & y;
    case Code.BvOr: return x | y;
    case Code.BvXor: return x ^ y;
    case Code.BvShl: return y >= n.k1 ? 0n : (x << y) & n.k0;
    case Code.BvLshr: return y >= n.k1 ? 0n : x >> y;
    // The signed value shifted, as the operand's two's complement (x - 2^w when the sign bit is set).
    case Code.BvAshr: return ((x & n.k2 ? x - n.k0 - 1n : x) >> (y >= n.k1 ? n.k1 : y)) & n.k0;
    case Code.BvUlt: return x < y;
    case Code.BvUle: return x <= y;
    case Code.BvUgt: return x > y;
    // Flipping the sign bits turns the signed order into the unsigned one.
    case Code.BvSlt: return (x ^ n.k2) < (y ^ n.k2);
    case Code.BvSle: return (x ^ n.k2) <= (y ^ n.k2);
  }
  throw new Error(`internal: no evaluation of node code ${n.code}`);
}

/** Whether `n` is a leaf (a constant or an application), whose value is given rather than computed. */
export function isLeaf(n: CompiledNode): boolean {
  return n.code === Code.Leaf;
}

/** Whether `n` is an ite (which needs its condition, then one branch). */
export function isIte(n: CompiledNode): boolean {
  return n.code === Code.Ite;
}

/**
 * Terms as a program: each subterm once, numbered after its arguments. Terms are added as they
 * come (a node's number never changes), so values computed over a shorter program stay valid.
 */
export class TermProgram {
  private readonly index = new Map<Term, number>();
  readonly terms: Term[] = [];
  readonly nodes: CompiledNode[] = [];
  /** The leaves' node numbers, in the order they were added. */
  readonly leaves: number[] = [];

  get size(): number {
    return this.nodes.length;
  }

  /** `t`'s node number, if it was added. */
  indexOf(t: Term): number | undefined {
    return this.index.get(t);
  }

  /** `t` and its subterms added (without recursion: terms are thousands deep); its node number. `leaf(t)` is told of each new leaf before it is added. */
  add(root: Term, leaf?: (t: Term) => void): number {
    const known = this.index.get(root);
    if (known !== undefined) return known;
    const stack: Term[] = [root];
    while (stack.length > 0) {
      const t = stack[stack.length - 1];
      if (this.index.has(t)) {
        stack.pop();
        continue;
      }
      let waiting = false;
      for (const a of t.args)
        if (!this.index.has(a)) {
          stack.push(a);
          waiting = true;
        }
      if (waiting) continue;
      stack.pop();
      const isLeafTerm = t.kind === TermKind.Constant || t.kind === TermKind.Application;
      if (isLeafTerm) leaf?.(t);
      const i = this.nodes.length;
      this.nodes.push(compileNode(t, (a) => this.index.get(a)!));
      this.terms.push(t);
      this.index.set(t, i);
      if (isLeafTerm) this.leaves.push(i);
    }
    return this.index.get(root)!;
  }
}

/**
 * Which of some chosen nodes (the inputs a fill replaces) each node reaches, as a bit mask: bit
 * i % 31 for the i-th (a Number; two inputs sharing a bit make a node seem to reach both, which
 * costs an evaluation, never a wrong value). A chosen node reaches only itself; another leaf none
 * (an application's value is given as a whole, whatever its argument's).
 */
export class Reach {
  private readonly masks: number[] = [];
  private readonly own = new Map<number, number>();

  constructor(
    private readonly program: TermProgram,
    chosen: readonly number[],
  ) {
    chosen.forEach((node, i) => this.own.set(node, (this.own.get(node) ?? 0) | (1 << i % 31)));
  }

  /** The bit of a chosen node. */
  bit(node: number): number {
    const b = this.own.get(node);
    if (b === undefined) throw new Error("internal: the reach of a node not chosen asked as its own");
    return b;
  }

  /** Node `i`'s mask (the program's nodes added since are covered as they are asked of). */
  of(i: number): number {
    const masks = this.masks;
    if (i < masks.length) return masks[i];
    const nodes = this.program.nodes;
    for (let j = masks.length; j <= i; j++) {
      const own = this.own.get(j);
      if (own !== undefined) masks.push(own);
      else if (isLeaf(nodes[j])) masks.push(0);
      else {
        let m = 0;
        for (const a of nodes[j].args) m |= masks[a];
        masks.push(m);
      }
    }
    return masks[i];
  }
}

/**
 * Values over a program, each node computed once when first asked (children first, an ite's
 * untaken branch not at all). Leaves are given (`set`); with `parent`, a node whose mask in
 * `reach` shares no bit with `changed` has the parent's value, and a leaf not set here is the
 * parent's: the values of an assignment that differs from the parent's in the leaves set here.
 */
export class ProgramValues {
  private readonly values: (TermValue | undefined)[] = [];

  constructor(
    readonly program: TermProgram,
    private readonly parent?: { values: ProgramValues; reach: Reach; changed: number },
    /** What a leaf no value was given for is called, for the internal error. */
    private readonly unset: (t: Term) => Error = (t) => new Error(`internal: ${t.op} evaluated with no value given`),
  ) {}

  set(node: number, v: TermValue): void {
    this.values[node] = v;
  }

  /** Node `i`'s value, without computing it: given, computed already, or the parent's where it is the same. */
  private known(i: number): TermValue | undefined {
    const v = this.values[i];
    if (v !== undefined) return v;
    const p = this.parent;
    if (p === undefined) {
      if (isLeaf(this.program.nodes[i])) throw this.unset(this.program.terms[i]);
      return undefined;
    }
    if (isLeaf(this.program.nodes[i]) || (p.reach.of(i) & p.changed) === 0) return (this.values[i] = p.values.get(i));
    return undefined;
  }

  get(root: number): TermValue {
    const done = this.known(root);
    if (done !== undefined) return done;
    const nodes = this.program.nodes;
    const values = this.values;
    const stack: number[] = [root];
    while (stack.length > 0) {
      const i = stack[stack.length - 1];
      if (values[i] !== undefined) {
        stack.pop();
        continue;
      }
      const n = nodes[i];
      if (isIte(n)) {
        // The condition first, then only the branch it takes.
        const c = this.known(n.a0);
        if (c === undefined) {
          stack.push(n.a0);
          continue;
        }
        const taken = c === true ? n.a1 : n.args[2];
        const v = this.known(taken);
        if (v === undefined) {
          stack.push(taken);
          continue;
        }
        values[i] = v;
        stack.pop();
        continue;
      }
      let waiting = false;
      const args = n.args;
      for (let k = 0; k < args.length; k++)
        if (this.known(args[k]) === undefined) {
          stack.push(args[k]);
          waiting = true;
        }
      if (waiting) continue;
      values[i] = nodeValue(n, values);
      stack.pop();
    }
    return values[root]!;
  }
}
