// PSTATE.NZCV arithmetic: the Arm ARM's AddWithCarry and ConditionHolds, over any BitVecDomain.
import type { BitVecDomain } from "./domain.ts";
import { isZero } from "./domain.ts";

export interface Nzcv<B> {
  readonly n: B;
  readonly z: B;
  readonly c: B;
  readonly v: B;
}

/** The sixteen A64 condition codes, in encoding order (cond<3:0> = index). */
export const CONDITION_NAMES = [
  "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
  "hi", "ls", "ge", "lt", "gt", "le", "al", "nv",
] as const;
export type ConditionName = (typeof CONDITION_NAMES)[number];

/** GNU as accepts hs for cs and lo for cc. */
export function conditionCode(name: string): number | undefined {
  const lower = name.toLowerCase();
  if (lower === "hs") return 2;
  if (lower === "lo") return 3;
  const index = (CONDITION_NAMES as readonly string[]).indexOf(lower);
  return index < 0 ? undefined : index;
}

/**
 * AddWithCarry(x, y, carry_in) from the Arm ARM (shared/functions/integer): returns the N-bit
 * result and the flags. The unsigned and signed sums are formed exactly in N+1 bits, which is
 * enough: UInt(x)+UInt(y)+1 < 2^(N+1) and -2^N <= SInt(x)+SInt(y)+1 < 2^N.
 */
export function addWithCarry<V, B>(d: BitVecDomain<V, B>, x: V, y: V, carryIn: B): { result: V; flags: Nzcv<B> } {
  const n = d.width(x);
  if (d.width(y) !== n) throw new Error(`AddWithCarry: widths ${n} and ${d.width(y)} differ`);
  const carry = d.zeroExtend(d.fromBool(carryIn), n + 1);
  const unsignedSum = d.add(d.add(d.zeroExtend(x, n + 1), d.zeroExtend(y, n + 1)), carry);
  const signedSum = d.add(d.add(d.signExtend(x, n + 1), d.signExtend(y, n + 1)), carry);
  const result = d.extract(unsignedSum, n - 1, 0);
  return {
    result,
    flags: {
      n: d.isOne(d.extract(result, n - 1, n - 1)),
      z: isZero(d, result),
      // c = UInt(result) == unsigned_sum ? '0' : '1'
      c: d.notB(d.eq(d.zeroExtend(result, n + 1), unsignedSum)),
      // v = SInt(result) == signed_sum ? '0' : '1'
      v: d.notB(d.eq(d.signExtend(result, n + 1), signedSum)),
    },
  };
}

/** ConditionHolds(cond) from the Arm ARM (shared/functions/system), cond a constant 0..15. */
export function conditionHolds<V, B>(d: BitVecDomain<V, B>, cond: number, f: Nzcv<B>): B {
  if (!Number.isInteger(cond) || cond < 0 || cond > 15) throw new Error(`condition ${cond} out of range`);
  let result: B;
  switch (cond >> 1) {
    case 0b000: result = f.z; break; // EQ or NE
    case 0b001: result = f.c; break; // CS or CC
    case 0b010: result = f.n; break; // MI or PL
    case 0b011: result = f.v; break; // VS or VC
    case 0b100: result = d.andB(f.c, d.notB(f.z)); break; // HI or LS
    case 0b101: result = iff(d, f.n, f.v); break; // GE or LT
    case 0b110: result = d.andB(iff(d, f.n, f.v), d.notB(f.z)); break; // GT or LE
    default: result = d.true; // AL (and NV, which also means always in A64)
  }
  // Odd conditions are the inverse of the even ones, except that 1111 (NV) is "always" too.
  if ((cond & 1) === 1 && cond !== 0b1111) result = d.notB(result);
  return result;
}

function iff<V, B>(d: BitVecDomain<V, B>, a: B, b: B): B {
  return d.orB(d.andB(a, b), d.andB(d.notB(a), d.notB(b)));
}

/** Flags from a constant #nzcv immediate (ccmp/ccmn when the condition fails). */
export function flagsFromImmediate<V, B>(d: BitVecDomain<V, B>, nzcv: number): Nzcv<B> {
  return {
    n: d.bool((nzcv & 8) !== 0),
    z: d.bool((nzcv & 4) !== 0),
    c: d.bool((nzcv & 2) !== 0),
    v: d.bool((nzcv & 1) !== 0),
  };
}
