// Bit-field helpers on 64-bit register and descriptor values held as bigint. The names follow the
// Arm ARM notation: field(x, hi, lo) is x<hi:lo>.

/** ONES[n]: the mask of the low n bits, 0 <= n <= 64 (walks take fields all the time: no BigInt built per call). */
const ONES: readonly bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);
/** SHIFTS[n] = BigInt(n), 0 <= n <= 64. */
const SHIFTS: readonly bigint[] = Array.from({ length: 65 }, (_, n) => BigInt(n));
/** BITS[n] = 1 << n, 0 <= n <= 63: a bit test is one AND, one BigInt made instead of two. */
const BITS: readonly bigint[] = Array.from({ length: 64 }, (_, n) => 1n << BigInt(n));

/** A mask of the low `n` bits. */
export function ones(n: number): bigint {
  return n <= 0 ? 0n : (ONES[n] ?? (1n << BigInt(n)) - 1n);
}

/** x<hi:lo> as a bigint (empty when hi < lo). */
export function field(x: bigint, hi: number, lo: number): bigint {
  if (hi < lo) return 0n;
  return (x >> (SHIFTS[lo] ?? BigInt(lo))) & ones(hi - lo + 1);
}

/** x<hi:lo> as a number, for fields of at most 32 bits. */
export function fieldNumber(x: bigint, hi: number, lo: number): number {
  // A field of the low word (a descriptor's attributes, most register fields): one BigInt step.
  if (hi < 31 && lo >= 0 && hi >= lo) return (Number(x & LOW_WORD) >>> lo) & ((1 << (hi - lo + 1)) - 1);
  return Number(field(x, hi, lo));
}

const LOW_WORD = 0xffff_ffffn;

/** x<n> == '1'. */
export function bitSet(x: bigint, n: number): boolean {
  const bit = BITS[n];
  return bit === undefined ? ((x >> BigInt(n)) & 1n) === 1n : (x & bit) !== 0n;
}

/** IsZero(x<hi:lo>); an empty range is zero. */
export function isZeroField(x: bigint, hi: number, lo: number): boolean {
  if (hi < lo) return true;
  return (x & fieldMask(hi, lo)) === 0n;
}

/** IsOnes(x<hi:lo>); an empty range counts as all ones. */
export function isOnesField(x: bigint, hi: number, lo: number): boolean {
  if (hi < lo) return true;
  const mask = fieldMask(hi, lo);
  return (x & mask) === mask;
}

/** Bits hi..lo set (0 <= lo <= hi), kept for 64-bit fields: every walk tests its VA's top bits (VAIsOutOfRange) with one AND. */
function fieldMask(hi: number, lo: number): bigint {
  if (hi > 63 || lo < 0) return ones(hi - lo + 1) << BigInt(lo);
  const index = hi * 64 + lo;
  let mask = FIELD_MASKS[index];
  if (mask === undefined) FIELD_MASKS[index] = mask = ones(hi - lo + 1) << BigInt(lo);
  return mask;
}

const FIELD_MASKS: (bigint | undefined)[] = new Array<bigint | undefined>(64 * 64).fill(undefined);

/** The 64-bit value with its eight bytes in the opposite order (BigEndianReverse). */
export function reverseBytes64(x: bigint): bigint {
  let result = 0n;
  let v = x;
  for (let i = 0; i < 8; i++) {
    result = (result << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return result;
}
