// Bit-field helpers on 64-bit register and descriptor values held as bigint. The names follow the
// Arm ARM notation: field(x, hi, lo) is x<hi:lo>.

/** ONES[n]: the mask of the low n bits, 0 <= n <= 64 (walks take fields all the time: no BigInt built per call). */
const ONES: readonly bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);
/** SHIFTS[n] = BigInt(n), 0 <= n <= 64. */
const SHIFTS: readonly bigint[] = Array.from({ length: 65 }, (_, n) => BigInt(n));

/** A mask of the low `n` bits. */
export function ones(n: number): bigint {
  return n <= 0 ? 0n : (ONES[n] ?? (1n << BigInt(n)) - 1n);
}

/** x<hi:lo> as a bigint (empty when hi < lo). */
export function field(x: bigint, hi: number, lo: number): bigint {
  if (hi < lo) return 0n;
  return (x >> (SHIFTS[lo] ?? BigInt(lo))) & ones(hi - lo + 1);
}

// A 64-bit value's two 32-bit halves through a typed array: storing a bigint into a
// BigUint64Array takes it modulo 2^64 (the bits a register or descriptor holds; for bits 63:0 it
// is what the bigint's two's complement holds) and reading the halves back makes no BigInt,
// where `Number(x & mask)` or `x >> 32n` allocate one each, which cost most of a walk's time.
const WORD_PAIR = new BigUint64Array(1);
const WORDS = new Uint32Array(WORD_PAIR.buffer);
/** Which element of WORDS holds bits 31:0 (the platform's byte order). */
const LOW = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

/** x<31:0> as an unsigned Number. */
export function lowWordOf(x: bigint): number {
  WORD_PAIR[0] = x;
  return WORDS[LOW];
}

/** x<63:32> as an unsigned Number. */
export function highWordOf(x: bigint): number {
  WORD_PAIR[0] = x;
  return WORDS[HIGH];
}

/** x<63:0> as its two halves, each an unsigned Number: lo is x<31:0>, hi x<63:32>. */
export function wordsOf(x: bigint, into: { lo: number; hi: number }): void {
  WORD_PAIR[0] = x;
  into.lo = WORDS[LOW];
  into.hi = WORDS[HIGH];
}

/** x<47:0> as a Number (exact: 48 bits), the walks' form of an address. */
export function low48Of(x: bigint): number {
  WORD_PAIR[0] = x;
  return (WORDS[HIGH] & 0xffff) * 2 ** 32 + WORDS[LOW];
}

/** The 64-bit value whose bits 31:0 are `lo` and 63:32 are `hi` (each taken modulo 2^32). */
export function bigintOfWords(lo: number, hi: number): bigint {
  WORDS[LOW] = lo;
  WORDS[HIGH] = hi;
  return WORD_PAIR[0];
}

/** The low `n` bits of a word, 0 <= n <= 32, as an unsigned Number. */
function lowBits(word: number, n: number): number {
  return n >= 32 ? word >>> 0 : (word & ((1 << n) - 1)) >>> 0;
}

/** x<hi:lo> of a 64-bit value held as its halves (0 <= lo <= hi <= 63, at most 32 bits wide). */
function fieldOfWords(loWord: number, hiWord: number, hi: number, lo: number): number {
  const n = hi - lo + 1;
  if (lo >= 32) return lowBits(hiWord >>> (lo - 32), n);
  if (hi < 32 || lo === 0) return lowBits(lo === 0 ? loWord : loWord >>> lo, n);
  return lowBits((loWord >>> lo) | (hiWord << (32 - lo)), n);
}

/** x<hi:lo> as a number, for fields of at most 32 bits. */
export function fieldNumber(x: bigint, hi: number, lo: number): number {
  if (lo >= 0 && hi >= lo && hi <= 63 && hi - lo < 32) {
    WORD_PAIR[0] = x;
    return fieldOfWords(WORDS[LOW], WORDS[HIGH], hi, lo);
  }
  return Number(field(x, hi, lo));
}

/** x<n> == '1'. */
export function bitSet(x: bigint, n: number): boolean {
  if (n >= 0 && n <= 63) {
    WORD_PAIR[0] = x;
    return ((n < 32 ? WORDS[LOW] >>> n : WORDS[HIGH] >>> (n - 32)) & 1) === 1;
  }
  return ((x >> BigInt(n)) & 1n) === 1n;
}

/** IsZero(x<hi:lo>); an empty range is zero. */
export function isZeroField(x: bigint, hi: number, lo: number): boolean {
  if (hi < lo) return true;
  if (lo >= 0 && hi <= 63) {
    WORD_PAIR[0] = x;
    return wordsFieldIs(WORDS[LOW], WORDS[HIGH], hi, lo, false);
  }
  return (x & fieldMask(hi, lo)) === 0n;
}

/** IsOnes(x<hi:lo>); an empty range counts as all ones. */
export function isOnesField(x: bigint, hi: number, lo: number): boolean {
  if (hi < lo) return true;
  if (lo >= 0 && hi <= 63) {
    WORD_PAIR[0] = x;
    return wordsFieldIs(WORDS[LOW], WORDS[HIGH], hi, lo, true);
  }
  const mask = fieldMask(hi, lo);
  return (x & mask) === mask;
}

/**
 * IsOnes (allOnes) or IsZero (!allOnes) of x<hi:lo> of a 64-bit value held as its halves, 0 <= lo <= hi
 * <= 63: each half's part of the field tested on its own.
 */
export function wordsFieldIs(loWord: number, hiWord: number, hi: number, lo: number, allOnes: boolean): boolean {
  if (lo < 32) {
    const top = Math.min(hi, 31);
    const part = fieldOfWords(loWord, 0, top, lo);
    if (part !== (allOnes ? lowBits(0xffffffff, top - lo + 1) : 0)) return false;
  }
  if (hi >= 32) {
    const bottom = Math.max(lo, 32) - 32;
    const part = fieldOfWords(hiWord, 0, hi - 32, bottom);
    if (part !== (allOnes ? lowBits(0xffffffff, hi - 32 - bottom + 1) : 0)) return false;
  }
  return true;
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
