// The symbolic instance of the model's BitVecDomain: values are either concrete (folded with
// the concrete domain, which keeps most of a handler's arithmetic on stack and vcpu addresses
// out of the solver) or terms (term/term.ts); booleans likewise. The instruction semantics and the
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

  /** The term of a value (terms are made once per structure: term/term.ts). */
  term(v: SymValue): BvTerm {
    return "z" in v ? v.z : this.ctx.BitVec.val(v.c.value, v.c.width);
  }

  boolTerm(b: SymBool): BoolTerm {
    return "z" in b ? b.z : b.b ? this.trueTerm : this.falseTerm;
  }

  /** The negation of a condition's term. */
  notTerm(t: BoolTerm): BoolTerm {
    return this.ctx.Not(t);
  }

  /** A fresh unknown of `width` bits. */
  fresh(name: string, width: number): SymValue {
    return { z: bitVecConstant(this.ctx, name, width) };
  }

  private bin(a: SymValue, b: SymValue, conc: (x: Bits, y: Bits) => Bits, sym: (x: BvTerm, y: BvTerm) => BvTerm): SymValue {
    if (isConcrete(a) && isConcrete(b)) return { c: conc(a.c, b.c) };
    const x = this.term(a);
    const y = this.term(b);
    return { z: sym(x, y) };
  }

  private un(a: SymValue, conc: (x: Bits) => Bits, sym: (x: BvTerm) => BvTerm): SymValue {
    if (isConcrete(a)) return { c: conc(a.c) };
    const x = a.z;
    return { z: sym(x) };
  }

  private cmp(a: SymValue, b: SymValue, conc: (x: Bits, y: Bits) => boolean, sym: (x: BvTerm, y: BvTerm) => BoolTerm): SymBool {
    if (isConcrete(a) && isConcrete(b)) return { b: conc(a.c, b.c) };
    const x = this.term(a);
    const y = this.term(b);
    return { z: sym(x, y) };
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
    return this.bin(a, b, C.add, (x, y) => x.add(y) as BvTerm);
  }
  sub(a: SymValue, b: SymValue): SymValue {
    this.checkSame("sub", a, b);
    return this.bin(a, b, C.sub, (x, y) => x.sub(y) as BvTerm);
  }
  and(a: SymValue, b: SymValue): SymValue {
    this.checkSame("and", a, b);
    if (isConcrete(a) && a.c.value === 0n) return a;
    if (isConcrete(b) && b.c.value === 0n) return b;
    return this.bin(a, b, C.and, (x, y) => x.and(y) as BvTerm);
  }
  or(a: SymValue, b: SymValue): SymValue {
    this.checkSame("or", a, b);
    if (isConcrete(a) && a.c.value === 0n) return b;
    if (isConcrete(b) && b.c.value === 0n) return a;
    return this.bin(a, b, C.or, (x, y) => x.or(y) as BvTerm);
  }
  xor(a: SymValue, b: SymValue): SymValue {
    this.checkSame("xor", a, b);
    return this.bin(a, b, C.xor, (x, y) => x.xor(y) as BvTerm);
  }
  not(a: SymValue): SymValue {
    return this.un(a, C.not, (x) => x.not() as BvTerm);
  }
  shl(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(a, (x) => C.shl(x, amount), (x) => x.shl(this.ctx.BitVec.val(BigInt(amount), x.width)) as BvTerm);
  }
  lshr(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(a, (x) => C.lshr(x, amount), (x) => x.lshr(this.ctx.BitVec.val(BigInt(amount), x.width)) as BvTerm);
  }
  ashr(a: SymValue, amount: number): SymValue {
    if (amount === 0) return a;
    return this.un(a, (x) => C.ashr(x, amount), (x) => x.shr(this.ctx.BitVec.val(BigInt(amount), x.width)) as BvTerm);
  }
  shlBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin(a, amount, C.shlBy, (x, y) => x.shl(y) as BvTerm);
  }
  lshrBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin(a, amount, C.lshrBy, (x, y) => x.lshr(y) as BvTerm);
  }
  ashrBy(a: SymValue, amount: SymValue): SymValue {
    return this.bin(a, amount, C.ashrBy, (x, y) => x.shr(y) as BvTerm);
  }
  extract(v: SymValue, hi: number, lo: number): SymValue {
    if (lo === 0 && hi === this.width(v) - 1) return v;
    return this.un(v, (x) => C.extract(x, hi, lo), (x) => x.extract(hi, lo) as BvTerm);
  }
  concat(hi: SymValue, lo: SymValue): SymValue {
    return this.bin(hi, lo, C.concat, (x, y) => this.ctx.Concat(x, y) as BvTerm);
  }
  zeroExtend(v: SymValue, width: number): SymValue {
    const n = width - this.width(v);
    if (n === 0) return v;
    return this.un(v, (x) => C.zeroExtend(x, width), (x) => x.zeroExt(n) as BvTerm);
  }
  signExtend(v: SymValue, width: number): SymValue {
    const n = width - this.width(v);
    if (n === 0) return v;
    return this.un(v, (x) => C.signExtend(x, width), (x) => x.signExt(n) as BvTerm);
  }
  eq(a: SymValue, b: SymValue): SymBool {
    this.checkSame("eq", a, b);
    return this.cmp(a, b, C.eq, (x, y) => x.eq(y) as BoolTerm);
  }
  ult(a: SymValue, b: SymValue): SymBool {
    return this.cmp(a, b, C.ult, (x, y) => x.ult(y) as BoolTerm);
  }
  ule(a: SymValue, b: SymValue): SymBool {
    return this.cmp(a, b, C.ule, (x, y) => x.ule(y) as BoolTerm);
  }
  slt(a: SymValue, b: SymValue): SymBool {
    return this.cmp(a, b, C.slt, (x, y) => x.slt(y) as BoolTerm);
  }
  sle(a: SymValue, b: SymValue): SymBool {
    return this.cmp(a, b, C.sle, (x, y) => x.sle(y) as BoolTerm);
  }
  ite(c: SymBool, a: SymValue, b: SymValue): SymValue {
    if (isConcreteBool(c)) return c.b ? a : b;
    const x = this.term(a);
    const y = this.term(b);
    const t = this.ctx.If(c.z, x, y);
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
    return { z: this.ctx.And(x, y) };
  }
  orB(a: SymBool, b: SymBool): SymBool {
    if (isConcreteBool(a)) return a.b ? a : b;
    if (isConcreteBool(b)) return b.b ? b : a;
    const [x, y] = [a.z, b.z];
    return { z: this.ctx.Or(x, y) };
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
    return { z: this.ctx.If(b.z, one, zero) };
  }
}
