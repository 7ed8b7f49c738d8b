// NZCV: AddWithCarry through cmp/cmn/adds/subs, and ccmp/ccmn under all sixteen conditions, with
// expected flags worked out by hand from the Arm ARM's AddWithCarry and ConditionHolds.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";
import { Machine } from "../../src/runtime/machine/machine.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import type { Nzcv } from "../../src/runtime/semantics/flags.ts";

function nzcv(bits: number): Nzcv<boolean> {
  return { n: (bits & 8) !== 0, z: (bits & 4) !== 0, c: (bits & 2) !== 0, v: (bits & 1) !== 0 };
}

function flagsAfter(source: string, x: Record<number, bigint>, initial = 0): number {
  const program = loadProgram(parseProgram(`${source}\n\teret\n`, { file: "flags.S" }));
  const m = new Machine({ x });
  m.setFlags(nzcv(initial));
  runProgram(program, m);
  const f = m.getFlags();
  return (f.n ? 8 : 0) | (f.z ? 4 : 0) | (f.c ? 2 : 0) | (f.v ? 1 : 0);
}

const MIN64 = 0x8000000000000000n;
const MAX64 = 0x7fffffffffffffffn;
const ALL64 = 0xffffffffffffffffn;

describe("AddWithCarry flags", () => {
  it.each([
    // [instruction, x0, x1, expected NZCV]
    ["cmp x0, x1", 5n, 5n, 0b0110], // 5 - 5 = 0: Z, and no borrow so C
    ["cmp x0, x1", 5n, 7n, 0b1000], // negative result, borrow (C clear)
    ["cmp x0, x1", 7n, 5n, 0b0010], // positive, no borrow
    ["cmp x0, x1", MIN64, 1n, 0b0011], // most negative - 1 overflows to positive: C and V
    ["cmp x0, x1", 0n, MIN64, 0b1001], // 0 - (-2^63) = 2^63 overflows: N and V, borrow
    ["cmn x0, x1", MAX64, 1n, 0b1001], // 2^63-1 + 1 overflows to negative
    ["cmn x0, x1", ALL64, 1n, 0b0110], // -1 + 1 = 0 with carry out
    ["adds x2, x0, x1", ALL64, ALL64, 0b1010], // -1 + -1 = -2 with carry out, no overflow
    ["subs x2, x0, x1", 0n, 0n, 0b0110],
    ["cmp w0, w1", 0x100000000n, 1n, 0b1000], // w0 is 0: upper bits do not take part
    ["cmp w0, w1", 0x80000000n, 1n, 0b0011], // 32-bit overflow
    ["cmp x0, #0", 0n, 0n, 0b0110],
    ["cmp x0, #-1", ALL64, 0n, 0b0110], // GNU as makes this cmn x0, #1: -1 + 1 = 0, carry
    ["cmn w0, #1", 0x7fffffffn, 0n, 0b1001],
  ] as const)("%s with x0=%s x1=%s", (insn, a, b, expected) => {
    expect(flagsAfter(`\t${insn}`, { 0: a, 1: b })).toBe(expected);
  });

  it("ands and tst set N and Z from the result and clear C and V", () => {
    expect(flagsAfter("\ttst x0, #0x8000000000000000", { 0: MIN64 }, 0b0011)).toBe(0b1000);
    expect(flagsAfter("\ttst x0, #8", { 0: 7n }, 0b1111)).toBe(0b0100);
    expect(flagsAfter("\tands w2, w0, w1", { 0: 0xffffffff80000000n, 1: 0x80000000n }, 0b0011)).toBe(0b1000);
  });
});

// For each condition: an NZCV under which it holds and one under which it fails (null: never fails).
const CONDITIONS: readonly [string, number, number | null][] = [
  ["eq", 0b0100, 0b0000],
  ["ne", 0b0000, 0b0100],
  ["cs", 0b0010, 0b0000],
  ["hs", 0b0010, 0b1101],
  ["cc", 0b0000, 0b0010],
  ["lo", 0b1101, 0b0010],
  ["mi", 0b1000, 0b0111],
  ["pl", 0b0111, 0b1000],
  ["vs", 0b0001, 0b1110],
  ["vc", 0b1110, 0b0001],
  ["hi", 0b0010, 0b0110], // C set and Z clear; fails when Z is set too
  ["ls", 0b0110, 0b0010],
  ["ge", 0b1001, 0b1000], // N == V
  ["lt", 0b1000, 0b1001],
  ["gt", 0b0000, 0b0100], // Z clear and N == V
  ["le", 0b0100, 0b0000],
  ["al", 0b0000, null],
  ["nv", 0b1111, null], // NV behaves as AL in A64
];

describe("ccmp/ccmn under every condition", () => {
  // ccmp x0, x1 with 5, 7: 5 + NOT(7) + 1 = 2^64 - 2, so N=1 Z=0 C=0 V=0 -> 0b1000.
  // ccmn x0, x2 with 5, -5: 5 + (2^64 - 5) = 2^64, so N=0 Z=1 C=1 V=0 -> 0b0110.
  // ccmp x3, #31 with 31: 31 - 31 = 0 with no borrow -> 0b0110.
  const regs = { 0: 5n, 1: 7n, 2: (1n << 64n) - 5n, 3: 31n };
  for (const [cond, holds, fails] of CONDITIONS) {
    it(`${cond}: compares when it holds`, () => {
      expect(flagsAfter(`\tccmp x0, x1, #0b0110, ${cond}`, regs, holds)).toBe(0b1000);
      expect(flagsAfter(`\tccmn x0, x2, #0b1001, ${cond}`, regs, holds)).toBe(0b0110);
      expect(flagsAfter(`\tccmp x3, #31, #0b1001, ${cond}`, regs, holds)).toBe(0b0110);
      expect(flagsAfter(`\tccmn w0, #3, #0b0110, ${cond}`, regs, holds)).toBe(0b0000); // 5 + 3 = 8
    });
    if (fails !== null) {
      it(`${cond}: takes #nzcv when it fails`, () => {
        expect(flagsAfter(`\tccmp x0, x1, #0b0110, ${cond}`, regs, fails)).toBe(0b0110);
        expect(flagsAfter(`\tccmn x0, x2, #0b1001, ${cond}`, regs, fails)).toBe(0b1001);
        expect(flagsAfter(`\tccmp x3, #31, #15, ${cond}`, regs, fails)).toBe(0b1111);
        expect(flagsAfter(`\tccmp x3, #31, #0, ${cond}`, regs, fails)).toBe(0b0000);
      });
    }
  }
});

describe("b.cond follows ConditionHolds", () => {
  for (const [cond, holds, fails] of CONDITIONS) {
    it(`b.${cond}`, () => {
      const program = loadProgram(parseProgram(`\tb.${cond} 1f\n\tnop\n\teret\n1:\tb __fpsimd_guest_restore\n`, { file: "b.S" }));
      const run = (flags: number) => {
        const m = new Machine();
        m.setFlags(nzcv(flags));
        return runProgram(program, m).outcome.kind;
      };
      expect(run(holds)).toBe("handler");
      if (fails !== null) expect(run(fails)).toBe("eret");
    });
  }
});
