// Bit fields of 32-bit instruction words, shared by the decoder and the alternatives patcher.
// JavaScript's bitwise operators give signed int32 results, so comparisons go through `>>> 0`.

/** w<hi:lo>, unsigned. */
export function field(w: number, hi: number, lo: number): number {
  return (w >>> lo) & (2 ** (hi - lo + 1) - 1);
}

export function bit(w: number, n: number): number {
  return (w >>> n) & 1;
}

/** The bits of `w` under `mask` equal `value`. */
export function has(w: number, mask: number, value: number): boolean {
  return (w & mask) >>> 0 === value >>> 0;
}

/** SignExtend of a `bits`-wide field value, as a bigint. */
export function signExtend(value: number, bits: number): bigint {
  const v = BigInt(value);
  return v & (1n << BigInt(bits - 1)) ? v - (1n << BigInt(bits)) : v;
}
