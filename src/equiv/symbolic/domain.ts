// The symbolic instance of the model's BitVecDomain: values are either concrete (folded with
// the concrete domain, which keeps most of a handler's arithmetic on stack and vcpu addresses
// out of the solver) or z3 terms; booleans likewise. The instruction semantics and the
// generated C-like code run over this domain unchanged.
import type { BitVecDomain } from "../../runtime/semantics/domain.ts";
import { concreteDomain as C, type Bits } from "../../runtime/semantics/concrete-domain.ts";
import type { Z3BitVec, Z3Bool, Z3Context } from "../z3.ts";
import { bitVecConstant } from "../smt/symbols.ts";

export type SymValue = { c: Bits } | { z: Z3BitVec };
export type SymBool = { b: boolean } | { z: Z3Bool };

export function isConcrete(v: SymValue): v is { c: Bits } {
  return "c" in v;
}
export function isConcreteBool(b: SymBool): b is { b: boolean } {
  return "b" in b;
}

export class SymbolicDomain implements BitVecDomain<SymValue, SymBool> {
  constructor(readonly ctx: Z3Context) {
    this.trueTerm = ctx.Bool.val(true) as Z3Bool;
    this.falseTerm = ctx.Bool.val(false) as Z3Bool;
  }

  private readonly trueTerm: Z3Bool;
  private readonly falseTerm: Z3Bool;

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
  private readonly numerals = new Map<string, Z3BitVec>();

  /** The z3 term of a value. */
  term(v: SymValue): Z3BitVec {
    if ("z" in v) return v.z;
    const key = `${v.c.width}:${v.c.value}`;
    let t = this.numerals.get(key);
    if (t === undefined) this.numerals.set(key, (t = this.ctx.BitVec.val(v.c.value, v.c.width) as Z3BitVec));
    return t;
  }

  boolTerm(b: SymBool): Z3Bool {
    return "z" in b ? b.z : b.b ? this.trueTerm : this.falseTerm;
  }

  /** The negation of a condition's term. */
  notTerm(t: Z3Bool): Z3Bool {
    return this.once1("not", t, () => this.ctx.Not(t) as Z3Bool);
  }

  /** A fresh unknown of `width` bits. */
  fresh(name: string, width: number): SymValue {
    return { z: bitVecConstant(this.ctx, name, width) };
  }

  /** `op` names the operation (with its parameters) for the terms made once. */
  private bin(op: string, a: SymValue, b: SymValue, conc: (x: Bits, y: Bits) => Bits, sym: (x: Z3BitVec, y: Z3BitVec) => Z3BitVec): SymValue {
    if (isConcrete(a) && isConcrete(b)) return { c: conc(a.c, b.c) };
    const x = this.term(a);
    const y = this.term(b);
    return { z: this.once2(op, x, y, () => sym(x, y)) };
  }

  private un(op: string, a: SymValue, conc: (x: Bits) => Bits, sym: (x: Z3BitVec) => Z3BitVec): SymValue {
    if (isConcrete(a)) return { c: conc(a.c) };
    const x = a.z;
    return { z: this.once1(op, x, () => sym(x)) };
  }

  private cmp(op: string, a: SymValue, b: SymValue, conc: (x: Bits, y: Bits) => boolean, sym: (x: Z3BitVec, y: Z3BitVec) => Z3Bool): SymBool {
    if (isConcrete(a) && isConcrete(b)) return { b: conc(a.c, b.c) };
    const x = this.term(a);
    const y = this.term(b);
    return { z: this.once2(op, x, y, () => sym(x, y)) };
  }

  const(value: bigint, width: number): SymValue {
    return { c: C.const(value, width) };
  }
  /** Each term's width once asked: z3-solver makes a sort object, with calls into z3, every time it is asked for one. */
  private readonly widths = new WeakMap<Z3BitVec, number>();
  width(v: SymValue): number {
    if (isConcrete(v)) return v.c.width;
    let w = this.widths.get(v.z);
    if (w === undefined) this.widths.set(v.z, (w = v.z.sort.size()));
    return w;
  }
  private checkSame(op: string, a: SymValue, b: SymValue): void {
    if (this.width(a) !== this.width(b)) throw new Error(`${op}: widths ${this.width(a)} and ${this.width(b)} differ`);
  }
  add(a: SymValue, b: SymValue): SymValue {
    this.checkSame("add", a, b);
    return this.bin("add", a, b, C.add, (x, y) => x.add(y) as Z3BitVec);
  }
  sub(a: SymValue, b: SymValue): SymValue {
    this.checkSame("sub", a, b);
    return this.bin("sub", a, b, C.sub, (x, y) => x.sub(y) as Z3BitVec);
  }
  and(a: SymValue, b: SymValue): SymValue {
    this.checkSame("and", a, b);
    if (isConcrete(a) && a.c.value === 0n) return a;
    if (isConcrete(b) && b.c.value === 0n) return b;
    return this.bin("and", a, b, C.and, (x, y) => x.and(y) as Z3BitVec);
  }
  or(a: SymValue, b: SymValue): SymValue {
    this.checkSame("or", a, b);
    if (isConcrete(a) && a.c.value === 0n) return b;
    if (isConcrete(b) && b.c.value === 0n) return a;
    return this.bin("or", a, b, C.or, (x, y) => x.or(y) as Z3BitVec);
  }
  xor(a: SymValue, b: SymValue): SymValue {
    this.checkSame("xor", a, b);
    return this.bin("xor", a, b, C.xor, (x, y) => x.xor(y) as Z3BitVec);
  }
  not(a: SymValue): SymValue {
    return this.un("not", a, C.not, (x) => x.not() as Z3BitVec);
  }
  shl(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(`shl ${amount}`, a, (x) => C.shl(x, amount), (x) => x.shl(this.ctx.BitVec.val(BigInt(amount), x.sort.size())) as Z3BitVec);
  }
  lshr(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(`lshr ${amount}`, a, (x) => C.lshr(x, amount), (x) => x.lshr(this.ctx.BitVec.val(BigInt(amount), x.sort.size())) as Z3BitVec);
  }
  ashr(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(`ashr ${amount}`, a, (x) => C.ashr(x, amount), (x) => x.shr(this.ctx.BitVec.val(BigInt(amount), x.sort.size())) as Z3BitVec);
  }
  shlBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin("shlBy", a, amount, C.shlBy, (x, y) => x.shl(y) as Z3BitVec);
  }
  lshrBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin("lshrBy", a, amount, C.lshrBy, (x, y) => x.lshr(y) as Z3BitVec);
  }
  ashrBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin("ashrBy", a, amount, C.ashrBy, (x, y) => x.shr(y) as Z3BitVec);
  }
  extract(v: SymValue, hi: number, lo: number): SymValue {
    if (lo === 0 && hi === this.width(v) - 1) return v;
    return this.un(`extract ${hi} ${lo}`, v, (x) => C.extract(x, hi, lo), (x) => x.extract(hi, lo) as Z3BitVec);
  }
  concat(hi: SymValue, lo: SymValue): SymValue {
    return this.bin("concat", hi, lo, C.concat, (x, y) => this.ctx.Concat(x, y) as Z3BitVec);
  }
  zeroExtend(v: SymValue, width: number): SymValue {
    const n = width - this.width(v);
    if (n === 0) return v;
    return this.un(`zeroExtend ${n}`, v, (x) => C.zeroExtend(x, width), (x) => x.zeroExt(n) as Z3BitVec);
  }
  signExtend(v: SymValue, width: number): SymValue {
    const n = width - this.width(v);
    if (n === 0) return v;
    return this.un(`signExtend ${n}`, v, (x) => C.signExtend(x, width), (x) => x.signExt(n) as Z3BitVec);
  }
  eq(a: SymValue, b: SymValue): SymBool {
    this.checkSame("eq", a, b);
    return this.cmp("eq", a, b, C.eq, (x, y) => x.eq(y) as Z3Bool);
  }
  ult(a: SymValue, b: SymValue): SymBool {
    return this.cmp("ult", a, b, C.ult, (x, y) => x.ult(y) as Z3Bool);
  }
  ule(a: SymValue, b: SymValue): SymBool {
    return this.cmp("ule", a, b, C.ule, (x, y) => x.ule(y) as Z3Bool);
  }
  slt(a: SymValue, b: SymValue): SymBool {
    return this.cmp("slt", a, b, C.slt, (x, y) => x.slt(y) as Z3Bool);
  }
  sle(a: SymValue, b: SymValue): SymBool {
    return this.cmp("sle", a, b, C.sle, (x, y) => x.sle(y) as Z3Bool);
  }
  ite(c: SymBool, a: SymValue, b: SymValue): SymValue {
    if (isConcreteBool(c)) return c.b ? a : b;
    const x = this.term(a);
    const y = this.term(b);
    const byElse = this.once2("ite", c.z, x, () => new WeakMap<Z3BitVec, Z3BitVec>());
    let t = byElse.get(y);
    if (t === undefined) byElse.set(y, (t = this.ctx.If(c.z, x, y) as Z3BitVec));
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
    return { z: this.once2("andB", x, y, () => this.ctx.And(x, y) as Z3Bool) };
  }
  orB(a: SymBool, b: SymBool): SymBool {
    if (isConcreteBool(a)) return a.b ? a : b;
    if (isConcreteBool(b)) return b.b ? b : a;
    const [x, y] = [a.z, b.z];
    return { z: this.once2("orB", x, y, () => this.ctx.Or(x, y) as Z3Bool) };
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
    return { z: this.once1("fromBool", b.z, () => this.ctx.If(b.z, one, zero) as Z3BitVec) };
  }
}
