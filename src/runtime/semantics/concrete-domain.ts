// The concrete instance of BitVecDomain: values are {value, width} with 0 <= value < 2^width,
// booleans are JavaScript booleans. Every width mismatch throws, so that a semantic function that
// would be ill-typed in ASL fails loudly here before the symbolic executor ever sees it.
import type { BitVecDomain } from "./domain.ts";

export interface Bits {
  readonly value: bigint;
  readonly width: number;
}

export class WidthMismatchError extends Error {}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > 128) {
    throw new WidthMismatchError(`bit-vector width ${width} is not an integer in 1..128`);
  }
}

/** 2^width for every width a value may have. */
const LIMITS: readonly bigint[] = Array.from({ length: 129 }, (_, i) => 1n << BigInt(i));

export function bits(value: bigint, width: number): Bits {
  if (!(width >= 1 && width <= 128 && Number.isInteger(width))) checkWidth(width);
  // value mod 2^width (two's complement for a negative value), as value & (2^width - 1) is, without
  // building the mask; a value in range already (most sums, every constant) is kept as it is:
  // two comparisons cost less than a new BigInt.
  return { value: value >= 0n && value < LIMITS[width] ? value : BigInt.asUintN(width, value), width };
}


/**
 * A Bits of a value the caller knows lies in [0, 2^width) at a width it knows is valid (an
 * operation's result on valid operands, a value the machine stored as such): no check, no
 * BigInt.asUintN.
 */
export function bitsInRange(value: bigint, width: number): Bits {
  return { value, width };
}

function same(op: string, a: Bits, b: Bits): number {
  if (a.width !== b.width) throw new WidthMismatchError(`${op}: widths ${a.width} and ${b.width} differ`);
  return a.width;
}

/** BigInt(n) for every shift amount a width allows (a constant shift is one of these). */
const SHIFTS: readonly bigint[] = Array.from({ length: 129 }, (_, i) => BigInt(i));

function checkShift(op: string, a: Bits, amount: number): void {
  if (!Number.isInteger(amount) || amount < 0 || amount >= a.width) {
    throw new WidthMismatchError(`${op}: constant shift ${amount} out of range for width ${a.width}`);
  }
}

/** The value read as a two's-complement signed integer (the Arm ARM's SInt). */
export function signedValue(v: Bits): bigint {
  return BigInt.asIntN(v.width, v.value);
}

export const concreteDomain: BitVecDomain<Bits, boolean> = {
  const: bits,
  width: (v) => v.width,

  add: (a, b) => bits(a.value + b.value, same("add", a, b)),
  sub: (a, b) => bits(a.value - b.value, same("sub", a, b)),
  // Of two values in range, AND, OR and XOR are in range.
  and: (a, b) => bitsInRange(a.value & b.value, same("and", a, b)),
  or: (a, b) => bitsInRange(a.value | b.value, same("or", a, b)),
  xor: (a, b) => bitsInRange(a.value ^ b.value, same("xor", a, b)),
  not: (a) => bits(~a.value, a.width),

  shl(a, amount) {
    checkShift("shl", a, amount);
    return bits(a.value << SHIFTS[amount], a.width);
  },
  lshr(a, amount) {
    checkShift("lshr", a, amount);
    return bitsInRange(amount === 0 ? a.value : a.value >> SHIFTS[amount], a.width);
  },
  ashr(a, amount) {
    checkShift("ashr", a, amount);
    return bits(signedValue(a) >> SHIFTS[amount], a.width);
  },
  shlBy(a, amount) {
    const w = same("shlBy", a, amount);
    return amount.value >= SHIFTS[w] ? bitsInRange(0n, w) : bits(a.value << amount.value, w);
  },
  lshrBy(a, amount) {
    const w = same("lshrBy", a, amount);
    return amount.value >= SHIFTS[w] ? bitsInRange(0n, w) : bitsInRange(a.value >> amount.value, w);
  },
  ashrBy(a, amount) {
    const w = same("ashrBy", a, amount);
    const s = amount.value >= SHIFTS[w] ? SHIFTS[w - 1] : amount.value;
    return bits(signedValue(a) >> s, w);
  },

  extract(v, hi, lo) {
    if (!(Number.isInteger(hi) && Number.isInteger(lo) && 0 <= lo && lo <= hi && hi < v.width)) {
      throw new WidthMismatchError(`extract<${hi}:${lo}> out of range for width ${v.width}`);
    }
    const shifted = lo === 0 ? v.value : v.value >> SHIFTS[lo];
    // Up to the top bit, the shifted value is in range already.
    return hi === v.width - 1 ? bitsInRange(shifted, hi - lo + 1) : bits(shifted, hi - lo + 1);
  },
  concat: (hi, lo) => bits((hi.value << SHIFTS[lo.width]) | lo.value, hi.width + lo.width),
  zeroExtend(v, width) {
    if (width < v.width) throw new WidthMismatchError(`zeroExtend from ${v.width} to ${width} narrows`);
    checkWidth(width);
    return bitsInRange(v.value, width);
  },
  signExtend(v, width) {
    if (width < v.width) throw new WidthMismatchError(`signExtend from ${v.width} to ${width} narrows`);
    return bits(signedValue(v), width);
  },

  eq: (a, b) => (same("eq", a, b), a.value === b.value),
  ult: (a, b) => (same("ult", a, b), a.value < b.value),
  ule: (a, b) => (same("ule", a, b), a.value <= b.value),
  slt: (a, b) => (same("slt", a, b), signedValue(a) < signedValue(b)),
  sle: (a, b) => (same("sle", a, b), signedValue(a) <= signedValue(b)),

  ite: (c, a, b) => (same("ite", a, b), c ? a : b),

  true: true,
  false: false,
  bool: (b) => b,
  andB: (a, b) => a && b,
  orB: (a, b) => a || b,
  notB: (a) => !a,
  isOne(bit) {
    if (bit.width !== 1) throw new WidthMismatchError(`isOne on a ${bit.width}-bit value`);
    return bit.value === 1n;
  },
  fromBool: (b) => bitsInRange(b ? 1n : 0n, 1),
};
