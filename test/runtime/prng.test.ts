// The scenario prng's splitmix64 on 32-bit halves (what fills stacks) is splitmix64 on BigInts, and
// arbitraryBytes is its definition: block i of 8 bytes is splitmix64(value(name) + i), little-endian.
import { describe, expect, it } from "vitest";
import { arbitraryBytes, arbitraryValue, splitmix64, splitmix64ByWords } from "../../src/runtime/scenario/prng.ts";

describe("scenario prng", () => {
  it("splitmix64 on halves gives splitmix64's value for every state tried", () => {
    const states = [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, (1n << 64n) - 1n, 0x61c8_8646_80b5_83ebn, 0x8000_0000_0000_0000n];
    let x = 0x1234_5678_9abc_def0n;
    for (let i = 0; i < 2000; i++) {
      x = splitmix64(x + BigInt(i));
      states.push(x, x & 0xffff_ffffn, x >> 32n, x | 0xffff_ffffn);
    }
    for (const s of states) expect(splitmix64ByWords(s)).toBe(splitmix64(s));
  });

  it("arbitraryValue: a Number seed's values (kept for recurring seeds) are its BigInt's (drawn each time), in any order and beyond the seeds kept", () => {
    const names = ["x0", "x30", "PAR_EL1", "HPFAR_EL2", "ESR_EL1", "stack"];
    const expected = new Map<string, bigint>();
    for (let seed = 0; seed < 200; seed++) for (const name of names) expected.set(`${seed}/${name}`, arbitraryValue(BigInt(seed), name));
    for (const order of [1, -1, 1]) {
      for (let i = 0; i < 200; i++) {
        const seed = order > 0 ? i : 199 - i;
        for (const name of names) expect(arbitraryValue(seed, name)).toBe(expected.get(`${seed}/${name}`));
      }
    }
    // The definition: splitmix64 of the seed's splitmix64 XOR the name's FNV-1a.
    const fnv = (name: string) => [...name].reduce((h, c) => BigInt.asUintN(64, (h ^ BigInt(c.charCodeAt(0))) * 0x100000001b3n), 0xcbf29ce484222325n);
    for (const seed of [0, 7, 63, 64, 199]) for (const name of names) expect(arbitraryValue(seed, name)).toBe(splitmix64(splitmix64(BigInt(seed)) ^ fnv(name)));
  });

  it("arbitraryBytes: block i is splitmix64(value + i), the last block cut short", () => {
    for (const [seed, name, size] of [[0, "stack", 1024], [7, "stack", 13], [(1 << 31) + 5, "x", 3], [42, "page", 4096]] as const) {
      const base = arbitraryValue(seed, name);
      const expected = new Uint8Array(size);
      for (let i = 0; i < size; i++) expected[i] = Number((splitmix64(BigInt.asUintN(64, base + BigInt(i >> 3))) >> BigInt(8 * (i & 7))) & 0xffn);
      expect(arbitraryBytes(seed, name, size)).toEqual(expected);
    }
  });
});
