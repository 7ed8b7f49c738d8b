// Located diagnostics: every rejected statement gives `file:line:col: error: message`, with the
// exact text asserted, and nothing but AsmError ever escapes the parser or loader.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AsmError } from "../../src/runtime/asm/errors.ts";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";

function diagnostic(source: string): string {
  try {
    loadProgram(parseProgram(source, { file: "bad.S" }));
  } catch (e) {
    if (e instanceof AsmError) return e.message;
    throw e;
  }
  throw new Error("no error");
}

describe("located errors", () => {
  it.each([
    ["\tfrob x0, x1", "bad.S:1:2: error: unknown mnemonic 'frob'"],
    ["nop\n  b.xx 1f", "bad.S:2:3: error: unknown mnemonic 'b.xx'"],
    ["add x0, x1, #0x1001", "bad.S:1:13: error: immediate 0x1001 is not encodable for add/sub: it must be 0..0xfff, optionally shifted left by 12"],
    ["add x0, x1, #0x1000, lsl #12", "bad.S:1:13: error: immediate 0x1000 out of range 0..0xfff for add/sub with lsl #12"],
    ["add x0, x1, #1, lsl #8", "bad.S:1:17: error: shift for an add/sub immediate must be lsl #0 or lsl #12"],
    ["and x0, x1, #0x1234", "bad.S:1:13: error: immediate 0x1234 is not a valid bitmask immediate for a 64-bit logical operation"],
    ["mov x0, #0x12345", "bad.S:1:9: error: immediate 0x12345 cannot be moved by a single instruction (not a movz, movn or bitmask immediate)"],
    ["movz x0, #0x10000", "bad.S:1:10: error: immediate 65536 out of range 0..65535"],
    ["movk w0, #1, lsl #32", "bad.S:1:14: error: shift for movk must be lsl #0, #16"],
    ["lsl x0, x1, #64", "bad.S:1:13: error: shift amount 64 out of range 0..63"],
    ["lsr w0, w1, #32", "bad.S:1:13: error: shift amount 32 out of range 0..31"],
    ["orr x0, x1, x2, lsl #64", "bad.S:1:17: error: shift amount 64 out of range 0..63"],
    ["ubfx x0, x1, #60, #5", "bad.S:1:19: error: bitfield width 5 out of range 1..4"],
    ["ubfx x0, x1, #64, #1", "bad.S:1:14: error: bitfield lsb 64 out of range 0..63"],
    ["ubfx w0, w1, #0, #33", "bad.S:1:18: error: bitfield width 33 out of range 1..32"],
    ["1: tbz w1, #32, 1b", "bad.S:1:12: error: bit number 32 out of range 0..31"],
    ["1: tbnz x1, #64, 1b", "bad.S:1:13: error: bit number 64 out of range 0..63"],
    ["ldr x0, [x1, #32768]", "bad.S:1:9: error: offset 32768 out of range for ldr: expected a multiple of 8 in 0..32760, or -256..255"],
    ["str w0, [x1, #258]", "bad.S:1:9: error: offset 258 out of range for str: expected a multiple of 4 in 0..16380, or -256..255"],
    ["ldr x0, [x1, #-257]", "bad.S:1:9: error: offset -257 out of range for ldr: expected a multiple of 8 in 0..32760, or -256..255"],
    ["ldr x0, [x1, #256]!", "bad.S:1:9: error: pre-index offset 256 out of range -256..255"],
    ["str x0, [sp], #-264", "bad.S:1:15: error: post-index offset -264 out of range -256..255"],
    ["ldp x0, x1, [sp, #4]", "bad.S:1:13: error: offset 4 out of range for ldp: expected a multiple of 8 in -512..504"],
    ["stp w0, w1, [sp, #256]", "bad.S:1:13: error: offset 256 out of range for stp: expected a multiple of 4 in -256..252"],
    ["ldp x0, x0, [sp]", "bad.S:1:9: error: ldp with identical transfer registers 'x0' (unpredictable)"],
    ["ldr x0, [x0], #8", "bad.S:1:5: error: writeback base register is also the transfer register 'x0' (unpredictable)"],
    ["ldr x0, [x1, x2]", "bad.S:1:14: error: register offsets are not supported; use an immediate offset"],
    ["ldrb x0, [x1]", "bad.S:1:6: error: expected a 32-bit register, got 'x0'"],
    ["add x0, w1, #1", "bad.S:1:9: error: expected a 64-bit register, got 'w1'"],
    ["add x0, x1", "bad.S:1:1: error: 'add' expects 3 or 4 operands, got 2"],
    ["cmp x0", "bad.S:1:1: error: 'cmp' expects 2 or 3 operands, got 1"],
    ["ccmp x0, x1, #16, eq", "bad.S:1:14: error: nzcv 16 out of range 0..15"],
    ["ccmp x0, #32, #0, eq", "bad.S:1:10: error: immediate 32 out of range 0..31"],
    ["ccmp x0, x1, #0, xx", "bad.S:1:18: error: expected a condition (eq, ne, cs/hs, cc/lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv), got 'xx'"],
    ["add x0, x1, #1\n\tmrs x0, foo_el2", "bad.S:2:10: error: unknown system register 'foo_el2'"],
    ["mrs x0, s3_4_c15_c15_7", "bad.S:1:9: error: system register S3_4_C15_C15_7 is not modelled"],
    ["mrs w0, esr_el2", "bad.S:1:5: error: expected a 64-bit register, got 'w0'"],
    ["at s1e2r, x0", "bad.S:1:4: error: unsupported AT operation 's1e2r' (the model has s1e1r, s1e1w, s1e1a, s1e0r, s1e0w, s12e1r, s12e1w, s12e0r, s12e0w)"],
    ["dsb foo", "bad.S:1:5: error: unknown barrier option 'foo'"],
    ["add sp, x0, x1", "bad.S:1:5: error: 'sp' is not allowed here"],
    ["and xzr, x0, #1", "bad.S:1:5: error: 'xzr' is not allowed here"],
    ["mov x0, #UNDEFINED_CONSTANT", "bad.S:1:10: error: unknown symbolic constant 'UNDEFINED_CONSTANT'"],
    ["mov x0, #(1 << 4", "bad.S:1:17: error: expected ')'"],
    ["b nowhere", "bad.S:1:3: error: undefined symbol 'nowhere'"],
    ["\tb 1f", "bad.S:1:4: error: undefined local label '1f'"],
    ["1: nop\n1: b 2b", "bad.S:2:6: error: undefined local label '2b'"],
    ["x: nop\nx: nop", "bad.S:2:1: error: symbol 'x' is already defined at line 1"],
    ["mov x0, @", "bad.S:1:9: error: unexpected character '@'"],
    [".frob 3", "bad.S:1:1: error: unknown directive '.frob'"],
    ["/* never closed", "bad.S:1:1: error: unterminated comment"],
  ])("%s", (source, message) => {
    expect(diagnostic(source)).toBe(message);
  });

  it("AsmError carries file, line, column and the bare reason", () => {
    let error: AsmError | undefined;
    try {
      parseProgram("nop\n\tlsl x0, x1, #99\n", { file: "f.S" });
    } catch (e) {
      if (e instanceof AsmError) error = e;
    }
    expect(error?.file).toBe("f.S");
    expect(error?.line).toBe(2);
    expect(error?.column).toBe(14);
    expect(error?.reason).toBe("shift amount 99 out of range 0..63");
    expect(error?.message).toBe("f.S:2:14: error: shift amount 99 out of range 0..63");
  });

  it("an error inside a macro expansion is reported at the invocation, naming the macro", () => {
    const source = ".macro bump reg\n\tadd \\reg, \\reg, #0x1001\n.endm\n\n\tbump x3\n";
    expect(diagnostic(source)).toBe("bad.S:5:2: error: immediate 0x1001 is not encodable for add/sub: it must be 0..0xfff, optionally shifted left by 12 (in macro 'bump')");
  });

  it("nothing but AsmError escapes, whatever the input", () => {
    const pieces = ["x0", "w1", "sp", "xzr", "#", "[", "]", "!", ",", "1f", "1b", "1:", "lbl:", "lbl", "-", "~", "(", ")", "<<", "#64", "#-1",
      "#0x1000", "mov", "add", "ldr", "ldp", "tbz", "ccmp", "ubfx", "mrs", "msr", "at", "s1e1r", "esr_el2", "b.eq", "eq", "lsl", "\n", ";", "alternative_if_not",
      "alternative_else", "alternative_endif", "CAP", ".macro", ".endm", "save_x0_to_x3", "//", "/*", "*/", "0x", "99999999999999999999999999"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (words) => {
        try {
          loadProgram(parseProgram(words.join(" "), { file: "fuzz.S" }), ["CAP"]);
        } catch (e) {
          if (!(e instanceof AsmError)) throw e;
        }
      }),
      { seed: 42, numRuns: 4000 },
    );
  });
});
