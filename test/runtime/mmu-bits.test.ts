// The MMU model's bit-field helpers (mmu/bits.ts): the fast forms (a low-word field on Numbers,
// IsZero/IsOnes as one AND with a kept mask) against the definition x<hi:lo> = (x >> lo) & ones.
import { describe, expect, it } from "vitest";
import { bigintOfWords, bitSet, field, fieldNumber, highWordOf, isOnesField, isZeroField, lowWordOf, ones, wordsOf } from "../../src/runtime/mmu/bits.ts";

/** 64-bit values with runs of ones and zeros at every position. */
function values(): bigint[] {
  const out = [0n, (1n << 64n) - 1n, 0x8000_0000_0000_0000n, 0xffff_0000_0000_0000n, 0x0000_ffff_ffff_f000n];
  let x = 0x9e37_79b9_7f4a_7c15n;
  for (let i = 0; i < 30; i++) {
    x = (x * 0x5851_f42d_4c95_7f2dn + 0x1405_7b7e_f767_814fn) & ((1n << 64n) - 1n);
    out.push(x, x & ~(ones(i % 64) << BigInt(i % 13)), x | (ones(i % 40) << BigInt(i % 24)));
  }
  // Bigints beyond 64 bits and negative ones: bits 63:0 are their two's complement's, as with `>>` and `&`.
  return [...out, -1n, -0x1234n, -(1n << 63n), (1n << 64n) | 0x55n, (0xabcn << 64n) - 7n];
}

describe("mmu/bits", () => {
  it("fieldNumber(x, hi, lo) is Number(x<hi:lo>) for every field of at most 32 bits", () => {
    for (const x of values()) {
      const got: number[] = [];
      const want: number[] = [];
      for (let lo = 0; lo < 64; lo++) {
        for (let hi = lo; hi < Math.min(64, lo + 32); hi++) {
          got.push(fieldNumber(x, hi, lo));
          want.push(Number((x >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n)));
        }
      }
      expect(got).toEqual(want);
    }
  });

  it("IsZero and IsOnes of x<hi:lo> are those of the field itself, an empty range both", () => {
    for (const x of values()) {
      const got: boolean[] = [];
      const want: boolean[] = [];
      for (let lo = 0; lo < 64; lo += 3) {
        for (let hi = lo - 1; hi < 64; hi += 2) {
          const f = field(x, hi, lo);
          got.push(isZeroField(x, hi, lo), isOnesField(x, hi, lo));
          want.push(hi < lo || f === 0n, hi < lo || f === ones(hi - lo + 1));
        }
      }
      expect(got).toEqual(want);
    }
  });

  it("bitSet(x, n) is x<n> == 1 at every bit, inside 64 bits and beyond", () => {
    for (const x of values()) {
      const got: boolean[] = [];
      const want: boolean[] = [];
      for (let n = 0; n < 70; n++) {
        got.push(bitSet(x, n));
        want.push(((x >> BigInt(n)) & 1n) === 1n);
      }
      expect(got).toEqual(want);
    }
  });

  it("a value's halves are x<31:0> and x<63:32>, and the halves give back x<63:0>", () => {
    for (const x of values()) {
      const words = { lo: -1, hi: -1 };
      wordsOf(x, words);
      expect([lowWordOf(x), highWordOf(x), words.lo, words.hi]).toEqual([Number(field(x, 31, 0)), Number(field(x, 63, 32)), Number(field(x, 31, 0)), Number(field(x, 63, 32))]);
      expect(bigintOfWords(words.lo, words.hi)).toBe(field(x, 63, 0));
    }
  });
});
