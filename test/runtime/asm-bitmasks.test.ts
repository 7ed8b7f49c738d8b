// Logical immediates: DecodeBitMasks over every encoding, the encoder against it, and the
// assembler's acceptance and rejection of immediates.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeBitMasks, encodeBitmask } from "../../src/runtime/semantics/bitmasks.ts";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { AsmError } from "../../src/runtime/asm/errors.ts";

/** Every value DecodeBitMasks(N, imms, immr, TRUE) produces for a register width. */
function allBitmaskValues(width: 32 | 64): Set<bigint> {
  const values = new Set<bigint>();
  for (let n = 0; n <= (width === 64 ? 1 : 0); n++) {
    for (let immr = 0; immr < 64; immr++) {
      for (let imms = 0; imms < 64; imms++) {
        const d = decodeBitMasks(n, imms, immr, true, width);
        if (d !== undefined) values.add(d.wmask);
      }
    }
  }
  return values;
}

describe("DecodeBitMasks", () => {
  it("yields the 5334 distinct 64-bit and 1302 distinct 32-bit logical immediates", () => {
    // 64-bit: for element sizes 2..64, e*(e-1) rotations of e-1 run lengths: 2+12+56+240+992+4032.
    expect(allBitmaskValues(64).size).toBe(5334);
    // 32-bit: the same without the 64-bit element size: 5334 - 4032.
    expect(allBitmaskValues(32).size).toBe(1302);
  });

  it("decodes hand-worked encodings", () => {
    // N=1, imms=0b000000 (one 1), immr=0: 0x1
    expect(decodeBitMasks(1, 0, 0, true, 64)?.wmask).toBe(1n);
    // N=0, imms=0b111100 (2-bit elements, one 1), immr=0: 0b01 repeated
    expect(decodeBitMasks(0, 0b111100, 0, true, 64)?.wmask).toBe(0x5555555555555555n);
    // N=0, imms=0b110011 (8-bit elements, four 1s), immr=4: 0xf0 repeated (0x0f rotated right by 4)
    expect(decodeBitMasks(0, 0b110011, 4, true, 64)?.wmask).toBe(0xf0f0f0f0f0f0f0f0n);
    // N=1, imms=62 (63 ones), immr=1: ROR(0x7fff...f, 1) = 0xbfff...f
    expect(decodeBitMasks(1, 62, 1, true, 64)?.wmask).toBe(0xbfffffffffffffffn);
    // all-ones element reserved for logical immediates
    expect(decodeBitMasks(1, 63, 0, true, 64)).toBeUndefined();
    // N=1 in a 32-bit operation is reserved
    expect(decodeBitMasks(1, 0, 0, true, 32)).toBeUndefined();
    // len < 1: N=0, imms=0b111111
    expect(decodeBitMasks(0, 0b111111, 0, false, 64)).toBeUndefined();
  });

  it("gives UBFM's tmask and wmask (lsl #4 on 64 bits: immr=60, imms=59)", () => {
    const d = decodeBitMasks(1, 59, 60, false, 64);
    expect(d?.wmask).toBe(0xfffffffffffffff0n); // ROR(ones(60), 60)
    // diff = S - R = 59 - 60 = -1, whose low six bits are 63: telem = ones(64). So
    // (top AND NOT tmask) OR (bot AND tmask) = bot = ROR(src, 60) AND wmask = src << 4.
    expect(d?.tmask).toBe(0xffffffffffffffffn);
  });
});

describe("encodeBitmask", () => {
  for (const width of [64, 32] as const) {
    it(`round-trips every valid ${width}-bit value through DecodeBitMasks`, () => {
      for (const value of allBitmaskValues(width)) {
        const enc = encodeBitmask(value, width);
        expect(enc, `0x${value.toString(16)}`).toBeDefined();
        if (enc === undefined) continue;
        expect(decodeBitMasks(enc.n, enc.imms, enc.immr, true, width)?.wmask).toBe(value);
      }
    });
  }

  it("rejects every value DecodeBitMasks cannot produce (random 64-bit and 32-bit values)", () => {
    const valid64 = allBitmaskValues(64);
    const valid32 = allBitmaskValues(32);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        expect(encodeBitmask(v, 64) !== undefined).toBe(valid64.has(v));
        const v32 = v & 0xffffffffn;
        expect(encodeBitmask(v32, 32) !== undefined).toBe(valid32.has(v32));
      }),
      { seed: 834220, numRuns: 3000 },
    );
  });

  it("rejects zero, all ones and non-runs", () => {
    expect(encodeBitmask(0n, 64)).toBeUndefined();
    expect(encodeBitmask((1n << 64n) - 1n, 64)).toBeUndefined();
    expect(encodeBitmask(0xffffffffn, 32)).toBeUndefined();
    expect(encodeBitmask(0x1234n, 64)).toBeUndefined();
    expect(encodeBitmask(0b101n, 64)).toBeUndefined();
    expect(encodeBitmask(0x3cn, 64)).toEqual({ n: 1, immr: 62, imms: 3 }); // ESR_ELx_FSC_TYPE
  });
});

describe("the assembler's logical immediates", () => {
  const asm = (line: string) => parseProgram(`\t${line}\n`, { file: "imm.S" });

  it.each([
    "and x2, x1, #ESR_ELx_FSC_TYPE",
    "and x0, x0, #0xfffffffffffffff0",
    "orr w0, w1, #0x80000000",
    "eor x0, x1, #0x5555555555555555",
    "tst x1, #(1 << 7)",
    "and w0, w1, #-2",
    "and sp, x0, #~15",
  ])("accepts %s", (line) => {
    expect(() => asm(line)).not.toThrow();
  });

  it.each([
    ["and x0, x1, #0", "immediate 0x0 is not a valid bitmask immediate for a 64-bit logical operation"],
    ["orr x0, x1, #-1", "immediate 0xffffffffffffffff is not a valid bitmask immediate for a 64-bit logical operation"],
    ["eor w0, w1, #0xffffffff", "immediate 0xffffffff is not a valid bitmask immediate for a 32-bit logical operation"],
    ["and x0, x1, #0x1234", "immediate 0x1234 is not a valid bitmask immediate for a 64-bit logical operation"],
    ["and w0, w1, #0x100000000", "immediate 0x100000000 out of range for a 32-bit logical operation"],
  ])("rejects %s", (line, reason) => {
    let error: unknown;
    try {
      asm(line);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AsmError);
    expect((error as AsmError).reason).toBe(reason);
    expect((error as AsmError).line).toBe(1);
  });
});
