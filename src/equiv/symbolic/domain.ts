// The symbolic instance of the model's BitVecDomain: values are either concrete (folded with
// the concrete domain, which keeps most of a handler's arithmetic on stack and vcpu addresses
// out of the solver) or z3 terms; booleans likewise. The instruction semantics and the
// generated C-like code run over this domain unchanged.
import type { BitVecDomain } from "../../runtime/semantics/domain.ts";
import { concreteDomain as C, type Bits } from "../../runtime/semantics/concrete-domain.ts";
import type { BvTerm, BoolTerm, TermContext } from "../term/term.ts";
import { bitVecConstant } from "../smt/symbols.ts";

export type SymValue = { c: Bits } | { z: BvTerm };
export type SymBool = { b: boolean } | { z: BoolTerm };

export function isConcrete(v: SymValue): v is { c: Bits } {
  return "c" in v;
}
export function isConcreteBool(b: SymBool): b is { b: boolean } {
  return "b" in b;
}

export class SymbolicDomain implements BitVecDomain<SymValue, SymBool> {
  constructor(readonly ctx: TermContext) {
    this.trueTerm = ctx.Bool.val(true) as BoolTerm;
    this.falseTerm = ctx.Bool.val(false) as BoolTerm;
  }

  private readonly trueTerm: BoolTerm;
  private readonly falseTerm: BoolTerm;

  /**
   * Terms made, by operation and operand objects: a C-like handler is run again from its start
   * for each of its paths and asks the same operations on the same terms again, and z3-solver
   * makes a term (a call into z3, an object, a finalizer) each time even where z3 shares it.
   */
  private readonly madeOf1 = new WeakMap<object, Map<string, object>>();
  private readonly madeOf2 = new WeakMap<object, Map<string, WeakMap<object, object>>>();

  private once1<T extends object>(op: string, x: object, make: () => T): T {
    let m = this.madeOf1.get(x);
    if (m === undefined) this.madeOf1.set(x, (m = new Map()));
    let t = m.get(op) as T | undefined;
    if (t === undefined) m.set(op, (t = make()));
    return t;
  }

  private once2<T extends object>(op: string, x: object, y: object, make: () => T): T {
    let m = this.madeOf2.get(x);
    if (m === undefined) this.madeOf2.set(x, (m = new Map()));
    let w = m.get(op);
    if (w === undefined) m.set(op, (w = new WeakMap()));
    let t = w.get(y) as T | undefined;
    if (t === undefined) w.set(y, (t = make()));
    return t;
  }

  /** z3 numerals made so far, by width and value: making one passes its digits into z3 as a string. */
  private readonly numerals = new Map<string, BvTerm>();

  /** The z3 term of a value. */
  term(v: SymValue): BvTerm {
    if ("z" in v) return v.z;
    const key = `${v.c.width}:${v.c.value}`;
    let t = this.numerals.get(key);
    if (t === undefined) this.numerals.set(key, (t = this.ctx.BitVec.val(v.c.value, v.c.width) as BvTerm));
    return t;
  }

  boolTerm(b: SymBool): BoolTerm {
    return "z" in b ? b.z : b.b ? this.trueTerm : this.falseTerm;
  }

  /** The negation of a condition's term. */
  notTerm(t: BoolTerm): BoolTerm {
    return this.once1("not", t, () => this.ctx.Not(t) as BoolTerm);
  }

  /** A fresh unknown of `width` bits. */
  fresh(name: string, width: number): SymValue {
    return { z: bitVecConstant(this.ctx, name, width) };
  }

  /** `op` names the operation (with its parameters) for the terms made once. */
  private bin(op: string, a: SymValue, b: SymValue, conc: (x: Bits, y: Bits) => Bits, sym: (x: BvTerm, y: BvTerm) => BvTerm): SymValue {
    if (isConcrete(a) && isConcrete(b)) return { c: conc(a.c, b.c) };
    const x = this.term(a);
    const y = this.term(b);
    return { z: this.once2(op, x, y, () => sym(x, y)) };
  }

  private un(op: string, a: SymValue, conc: (x: Bits) => Bits, sym: (x: BvTerm) => BvTerm): SymValue {
    if (isConcrete(a)) return { c: conc(a.c) };
    const x = a.z;
    return { z: this.once1(op, x, () => sym(x)) };
  }

  private cmp(op: string, a: SymValue, b: SymValue, conc: (x: Bits, y: Bits) => boolean, sym: (x: BvTerm, y: BvTerm) => BoolTerm): SymBool {
    if (isConcrete(a) && isConcrete(b)) return { b: conc(a.c, b.c) };
    const x = this.term(a);
    const y = this.term(b);
    return { z: this.once2(op, x, y, () => sym(x, y)) };
  }

  const(value: bigint, width: number): SymValue {
    return { c: C.const(value, width) };
  }
  width(v: SymValue): number {
    return isConcrete(v) ? v.c.width : v.z.width;
  }
  private checkSame(op: string, a: SymValue, b: SymValue): void {
    if (this.width(a) !== this.width(b)) throw new Error(`${op}: widths ${this.width(a)} and ${this.width(b)} differ`);
  }
  add(a: SymValue, b: SymValue): SymValue {
    this.checkSame("add", a, b);
    return this.bin("add", a, b, C.add, (x, y) => x.add(y) as BvTerm);
  }
  sub(a: SymValue, b: SymValue): SymValue {
    this.checkSame("sub", a, b);
    return this.bin("sub", a, b, C.sub, (x, y) => x.sub(y) as BvTerm);
  }
  and(a: SymValue, b: SymValue): SymValue {
    this.checkSame("and", a, b);
    if (isConcrete(a) && a.c.value === 0n) return a;
    if (isConcrete(b) && b.c.value === 0n) return b;
    return this.bin("and", a, b, C.and, (x, y) => x.and(y) as BvTerm);
  }
  or(a: SymValue, b: SymValue): SymValue {
    this.checkSame("or", a, b);
    if (isConcrete(a) && a.c.value === 0n) return b;
    if (isConcrete(b) && b.c.value === 0n) return a;
    return this.bin("or", a, b, C.or, (x, y) => x.or(y) as BvTerm);
  }
  xor(a: SymValue, b: SymValue): SymValue {
    this.checkSame("xor", a, b);
    return this.bin("xor", a, b, C.xor, (x, y) => x.xor(y) as BvTerm);
  }
  not(a: SymValue): SymValue {
    return this.un("not", a, C.not, (x) => x.not() as BvTerm);
  }
  shl(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(`shl ${amount}`, a, (x) => C.shl(x, amount), (x) => x.shl(this.ctx.BitVec.val(BigInt(amount), x.width)) as BvTerm);
  }
  lshr(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(`lshr ${amount}`, a, (x) => C.lshr(x, amount), (x) => x.lshr(this.ctx.BitVec.val(BigInt(amount), x.width)) as BvTerm);
  }
  ashr(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(`ashr ${amount}`, a, (x) => C.ashr(x, amount), (x) => x.shr(this.ctx.BitVec.val(BigInt(amount), x.width)) as BvTerm);
  }
  shlBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin("shlBy", a, amount, C.shlBy, (x, y) => x.shl(y) as BvTerm);
  }
  lshrBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin("lshrBy", a, amount, C.lshrBy, (x, y) => x.lshr(y) as BvTerm);
  }
  ashrBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin("ashrBy", a, amount, C.ashrBy, (x, y) => x.shr(y) as BvTerm);
  }
  extract(v: SymValue, hi: number, lo: number): SymValue {
    if (lo === 0 && hi === this.width(v) - 1) return v;
    return this.un(`extract ${hi} ${lo}`, v, (x) => C.extract(x, hi, lo), (x) => x.extract(hi, lo) as BvTerm);
  }
  concat(hi: SymValue, lo: SymValue): SymValue {
    return this.bin("concat", hi, lo, C.concat, (x, y) => this.ctx.Concat(x, y) as BvTerm);
  }
  zeroExtend(v: SymValue, width: number): SymValue {
    const n = width - this.width(v);
    if (n === 0) return v;
    return this.un(`zeroExtend ${n}`, v, (x) => C.zeroExtend(x, width), (x) => x.zeroExt(n) as BvTerm);
  }
  signExtend(v: SymValue, width: number): SymValue {
    const n = width - this.width(v);
    if (n === 0) return v;
    return this.un(`signExtend ${n}`, v, (x) => C.signExtend(x, width), (x) => x.signExt(n) as BvTerm);
  }
  eq(a: SymValue, b: SymValue): SymBool {
    this.checkSame("eq", a, b);
    return this.cmp("eq", a, b, C.eq, (x, y) => x.eq(y) as BoolTerm);
  }
  ult(a: SymValue, b: SymValue): SymBool {
    return this.cmp("ult", a, b, C.ult, (x, y) => x.ult(y) as BoolTerm);
  }
  ule(a: SymValue, b: SymValue): SymBool {
    return this.cmp("ule", a, b, C.ule, (x, y) => x.ule(y) as BoolTerm);
  }
  slt(a: SymValue, b: SymValue): SymBool {
    return this.cmp("slt", a, b, C.slt, (x, y) => x.slt(y) as BoolTerm);
  }
  sle(a: SymValue, b: SymValue): SymBool {
    return this.cmp("sle", a, b, C.sle, (x, y) => x.sle(y) as BoolTerm);
  }
  ite(c: SymBool, a: SymValue, b: SymValue): SymValue {
    if (isConcreteBool(c)) return c.b ? a : b;
    const x = this.term(a);
    const y = this.term(b);
    const byElse = this.once2("ite", c.z, x, () => new WeakMap<BvTerm, BvTerm>());
    let t = byElse.get(y);
    if (t === undefined) byElse.set(y, (t = this.ctx.If(c.z, x, y) as BvTerm));
    return { z: t };
  }
  readonly true: SymBool = { b: true };
  readonly false: SymBool = { b: false };
  bool(b: boolean): SymBool {
    return { b };
  }
  andB(a: SymBool, b: SymBool): SymBool {
    if (isConcreteBool(a)) return a.b ? b : a;
    if (isConcreteBool(b)) return b.b ? a : b;
    const [x, y] = [a.z, b.z];
    return { z: this.once2("andB", x, y, () => this.ctx.And(x, y) as BoolTerm) };
  }
  orB(a: SymBool, b: SymBool): SymBool {
    if (isConcreteBool(a)) return a.b ? a : b;
    if (isConcreteBool(b)) return b.b ? b : a;
    const [x, y] = [a.z, b.z];
    return { z: this.once2("orB", x, y, () => this.ctx.Or(x, y) as BoolTerm) };
  }
  notB(a: SymBool): SymBool {
    return isConcreteBool(a) ? { b: !a.b } : { z: this.notTerm(a.z) };
  }
  isOne(bit: SymValue): SymBool {
    return this.eq(bit, this.const(1n, this.width(bit)));
  }
  fromBool(b: SymBool): SymValue {
    if (isConcreteBool(b)) return this.const(b.b ? 1n : 0n, 1);
    const [one, zero] = [this.term(this.const(1n, 1)), this.term(this.const(0n, 1))];
    return { z: this.once1("fromBool", b.z, () => this.ctx.If(b.z, one, zero) as BvTerm) };
  }
}
