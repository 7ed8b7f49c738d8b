// The abstract bit-vector domain every instruction's semantics is written over, once.
//
// Values have a static width, as in Sail and the Arm ARM's ASL: nothing widens or truncates
// implicitly, and an operation on mismatched widths is a programming error (implementations throw).
// The concrete interpreter instantiates V with a {value, width} pair and B with boolean; a symbolic
// executor instantiates them with z3 bit-vector and boolean expressions and forks where a branch
// condition is not decided.

export interface BitVecDomain<V, B> {
  /** A constant of `width` bits; `value` is taken modulo 2^width (so -1n gives all ones). */
  const(value: bigint, width: number): V;
  width(v: V): number;

  add(a: V, b: V): V;
  sub(a: V, b: V): V;
  and(a: V, b: V): V;
  or(a: V, b: V): V;
  xor(a: V, b: V): V;
  not(a: V): V;

  /** Shifts by a constant amount, 0 <= amount < width. */
  shl(a: V, amount: number): V;
  lshr(a: V, amount: number): V;
  ashr(a: V, amount: number): V;
  /** Shifts by a value of the same width (SMT-LIB bvshl/bvlshr/bvashr: amounts >= width flush). */
  shlBy(a: V, amount: V): V;
  lshrBy(a: V, amount: V): V;
  ashrBy(a: V, amount: V): V;

  /** Bits hi..lo inclusive (the Arm ARM's x<hi:lo>); the result has hi-lo+1 bits. */
  extract(v: V, hi: number, lo: number): V;
  /** hi:lo, hi in the upper bits. */
  concat(hi: V, lo: V): V;
  /** Widens to `width` >= width(v) (the Arm ARM's ZeroExtend / SignExtend). */
  zeroExtend(v: V, width: number): V;
  signExtend(v: V, width: number): V;

  eq(a: V, b: V): B;
  ult(a: V, b: V): B;
  ule(a: V, b: V): B;
  slt(a: V, b: V): B;
  sle(a: V, b: V): B;

  ite(c: B, a: V, b: V): V;

  readonly true: B;
  readonly false: B;
  bool(b: boolean): B;
  andB(a: B, b: B): B;
  orB(a: B, b: B): B;
  notB(a: B): B;
  /** The single bit v<0> as a boolean, and back: the Arm ARM mixes bit '1' and TRUE freely. */
  isOne(bit: V): B;
  fromBool(b: B): V;
}

/** if c then a else b, for booleans (derived, so that domains need not provide it). */
export function iteBool<V, B>(d: BitVecDomain<V, B>, c: B, a: B, b: B): B {
  return d.orB(d.andB(c, a), d.andB(d.notB(c), b));
}

/** The Arm ARM's IsZero(x). */
export function isZero<V, B>(d: BitVecDomain<V, B>, x: V): B {
  return d.eq(x, d.const(0n, d.width(x)));
}

/** The Arm ARM's ROR(x, shift) for a constant shift. */
export function rorConst<V, B>(d: BitVecDomain<V, B>, x: V, shift: number): V {
  const n = d.width(x);
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  return d.or(d.lshr(x, s), d.shl(x, n - s));
}

/** The Arm ARM's ROR(x, shift) for a shift held in a value of the same width. */
export function rorBy<V, B>(d: BitVecDomain<V, B>, x: V, shift: V): V {
  const n = d.width(x);
  const widthConst = d.const(BigInt(n), n);
  const s = d.and(shift, d.const(BigInt(n - 1), n)); // n is a power of two here (32 or 64)
  // x >> s | x << (n - s); when s == 0 the left shift is by n, which flushes to zero.
  return d.or(d.lshrBy(x, s), d.shlBy(x, d.sub(widthConst, s)));
}
