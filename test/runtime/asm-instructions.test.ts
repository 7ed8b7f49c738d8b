// Per-instruction behaviour on the concrete machine: alias lowering, immediate encodings, bitfield
// edge widths, W-register zero-extension, loads and stores in every width and index mode, branches.
// Expected values are worked out by hand from the Arm ARM's pseudocode.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";
import { Machine, type MachineConfig } from "../../src/runtime/machine/machine.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";

function run(source: string, config: MachineConfig = {}): Machine {
  const program = loadProgram(parseProgram(`${source}\n\teret\n`, { file: "insn.S" }));
  const m = new Machine(config);
  runProgram(program, m);
  return m;
}

function decoded(line: string) {
  return loadProgram(parseProgram(`\t${line}\n`, { file: "insn.S" })).instructions[0].insn;
}

const ALL64 = 0xffffffffffffffffn;

describe("mov and move-wide", () => {
  it.each([
    ["mov x0, #0", { op: "movewide", kind: "movz", imm16: 0, shift: 0 }, 0n],
    ["mov x0, #0x12340000", { op: "movewide", kind: "movz", imm16: 0x1234, shift: 16 }, 0x12340000n],
    ["mov x0, #0xbeef000000000000", { op: "movewide", kind: "movz", imm16: 0xbeef, shift: 48 }, 0xbeef000000000000n],
    ["mov x0, #-1", { op: "movewide", kind: "movn", imm16: 0, shift: 0 }, ALL64],
    ["mov x0, #0xffffffffffff1234", { op: "movewide", kind: "movn", imm16: 0xedcb, shift: 0 }, 0xffffffffffff1234n],
    ["mov x0, #0x5555555555555555", { op: "logical-imm", kind: "orr" }, 0x5555555555555555n],
    ["mov w0, #-1", { op: "movewide", kind: "movn", width: 32 }, 0xffffffffn],
    ["mov w0, #0xffff0000", { op: "movewide", kind: "movz", imm16: 0xffff, shift: 16 }, 0xffff0000n],
    ["mov x1, #ARM_EXCEPTION_TRAP", { op: "movewide", kind: "movz", imm16: 1 }, 1n],
  ] as const)("%s", (line, shape, value) => {
    expect(decoded(line)).toMatchObject(shape);
    const m = run(`\t${line.replace("x1,", "x0,")}`, { x: { 0: 0xdeadbeefdeadbeefn } });
    expect(m.getX(0)).toBe(value);
  });

  it("movk replaces one halfword; movz/movn with shifts", () => {
    expect(run("\tmovk x0, #0xbeef, lsl #32", { x: { 0: 0x1111222233334444n } }).getX(0)).toBe(0x1111beef33334444n);
    expect(run("\tmovk w0, #0xbeef", { x: { 0: 0x1111222233334444n } }).getX(0)).toBe(0x3333beefn); // W write zero-extends
    expect(run("\tmovz x0, #0xabcd, lsl #48").getX(0)).toBe(0xabcd000000000000n);
    expect(run("\tmovn w0, #1, lsl #16").getX(0)).toBe(0xfffeffffn);
  });

  it("mov between registers, sp included, and from the zero register", () => {
    const m = run("\tmov x2, x1\n\tmov w3, w1\n\tmov x4, sp\n\tmov sp, x1\n\tmov x5, xzr", { x: { 1: 0x123456789n, 5: 7n }, sp: 0x8000n });
    expect(m.getX(2)).toBe(0x123456789n);
    expect(m.getX(3)).toBe(0x23456789n);
    expect(m.getX(4)).toBe(0x8000n);
    expect(m.getSP()).toBe(0x123456789n);
    expect(m.getX(5)).toBe(0n);
  });
});

describe("add/sub", () => {
  it("immediates, lsl #12, GNU as's negative and shifted forms", () => {
    expect(decoded("add x0, x1, #0x5000")).toMatchObject({ op: "addsub-imm", sub: false, imm12: 5, shift12: true });
    expect(decoded("add x0, x1, #-16")).toMatchObject({ op: "addsub-imm", sub: true, imm12: 16 });
    expect(decoded("cmp x0, #-1")).toMatchObject({ op: "addsub-imm", sub: false, setFlags: true, imm12: 1, rd: { kind: "zr" } });
    const m = run("\tadd x0, x1, #1, lsl #12\n\tsub x2, x1, #0xfff\n\tadd x3, x1, #-16\n\tsub x4, x1, #0x5000", { x: { 1: 0x10000n } });
    expect(m.getX(0)).toBe(0x11000n);
    expect(m.getX(2)).toBe(0xf001n);
    expect(m.getX(3)).toBe(0xfff0n);
    expect(m.getX(4)).toBe(0xb000n);
  });

  it("register forms with shifts, 32-bit wrap-around, sp as base", () => {
    const m = run(
      "\tadd x0, x1, x2, lsl #4\n\tsub x3, x1, x2, asr #1\n\tadd w4, w1, w5\n\tadd sp, sp, #16\n\tneg x6, x2",
      { x: { 1: 0x100n, 2: 0x8000000000000002n, 5: 0xffffff00n }, sp: 0x1000n },
    );
    expect(m.getX(0)).toBe(0x120n); // 0x2 << 4 (bit 63 shifted out)
    expect(m.getX(3)).toBe(0x100n - 0xc000000000000001n + (1n << 64n)); // asr keeps the sign
    expect(m.getX(4)).toBe(0n); // 0x100 + 0xffffff00 wraps to 0 in 32 bits
    expect(m.getSP()).toBe(0x1010n);
    expect(m.getX(6)).toBe(0x7ffffffffffffffen);
  });

  it("writes to xzr are discarded", () => {
    const m = run("\tadd xzr, x1, x1\n\tadds xzr, x1, x1", { x: { 1: 1n } });
    for (let i = 0; i < 31; i++) expect(m.getX(i)).toBe(i === 1 ? 1n : 0n);
  });
});

describe("logical and shift", () => {
  it("register and immediate forms, W results zero-extended", () => {
    const m = run(
      "\tand x0, x1, #0x3c\n\torr x2, x1, x3, lsl #8\n\teor w4, w1, w3\n\tbic x5, x1, x3\n\tmvn w6, w3\n\tand x7, x1, x3, ror #4",
      { x: { 1: 0xffffffff0000004fn, 3: 0xf0n } },
    );
    expect(m.getX(0)).toBe(0xcn);
    expect(m.getX(2)).toBe(0xffffffff0000f04fn);
    expect(m.getX(4)).toBe(0xbfn);
    expect(m.getX(5)).toBe(0xffffffff0000000fn);
    expect(m.getX(6)).toBe(0xffffff0fn);
    expect(m.getX(7)).toBe(0xfn); // ROR(0xf0, 4) = 0xf, AND 0x...4f = 0xf
  });

  it("lsl/lsr/asr immediates at the edge widths", () => {
    const m = run(
      "\tlsl x0, x1, #63\n\tlsl x2, x1, #0\n\tlsr x3, x9, #63\n\tasr x4, x9, #63\n\tlsl w5, w8, #31\n\tasr w6, w7, #31\n\tlsr w10, w7, #31",
      { x: { 1: 3n, 7: 0x80000000n, 8: 3n, 9: 0x8000000000000000n } },
    );
    expect(m.getX(0)).toBe(0x8000000000000000n);
    expect(m.getX(2)).toBe(3n);
    expect(m.getX(3)).toBe(1n);
    expect(m.getX(4)).toBe(ALL64);
    expect(m.getX(5)).toBe(0x80000000n); // bit 1 of 3 leaves the 32-bit register
    expect(m.getX(6)).toBe(0xffffffffn); // sign fill stops at bit 31, then zero-extends
    expect(m.getX(10)).toBe(1n);
  });

  it("register shifts take the amount modulo the width", () => {
    const m = run("\tlsl x0, x1, x2\n\tlsr w3, w4, w5\n\tasr x6, x7, x2\n\tror x8, x1, x2", {
      x: { 1: 0x8000000000000001n, 2: 65n, 4: 0x80000000n, 5: 33n, 7: 0x8000000000000000n },
    });
    expect(m.getX(0)).toBe(2n);
    expect(m.getX(3)).toBe(0x40000000n);
    expect(m.getX(6)).toBe(0xc000000000000000n);
    expect(m.getX(8)).toBe(0xc000000000000000n);
  });
});

describe("bitfields", () => {
  it("ubfx as the seed uses it: PAR_EL1.PA[47:12] then lsl #4", () => {
    const m = run("\tubfx x3, x3, #12, #36\n\tlsl x3, x3, #4", { x: { 3: 0xff00000080001b80n } });
    expect(m.getX(3)).toBe(0x800010n);
  });

  it("ubfx/sbfx/ubfiz/bfi/bfxil at the edges", () => {
    const m = run(
      [
        "\tubfx x0, x9, #0, #64",
        "\tubfx x1, x9, #63, #1",
        "\tsbfx x2, x8, #4, #4",
        "\tubfiz x3, x7, #4, #8",
        "\tbfi x4, x6, #8, #4",
        "\tbfxil x5, x9, #60, #4",
        "\tubfx w10, w9, #31, #1",
        "\tubfiz x11, x7, #63, #1",
      ].join("\n"),
      { x: { 4: 0xffffn, 5: 0x1230n, 6: 0x5n, 7: 0x1ffn, 8: 0x80n, 9: 0x8000000080000000n } },
    );
    expect(m.getX(0)).toBe(0x8000000080000000n);
    expect(m.getX(1)).toBe(1n);
    expect(m.getX(2)).toBe(0xfffffffffffffff8n); // bits 7:4 = 0b1000, sign-extended: -8
    expect(m.getX(3)).toBe(0xff0n);
    expect(m.getX(4)).toBe(0xf5ffn);
    expect(m.getX(5)).toBe(0x1238n); // bits 63:60 of x9 = 0x8 into bits 3:0
    expect(m.getX(10)).toBe(1n);
    expect(m.getX(11)).toBe(0x8000000000000000n);
  });
});

describe("loads and stores", () => {
  it("sizes: str w writes four bytes, strb one, strh two; loads zero-extend", () => {
    const m = run(
      "\tstr w1, [x0]\n\tstrb w1, [x0, #8]\n\tstrh w1, [x0, #16]\n\tstr x1, [x0, #24]\n\tldr w2, [x0, #24]\n\tldrb w3, [x0, #27]\n\tldrh w4, [x0, #30]\n\tldr x5, [x0, #24]",
      { x: { 0: 0x1000n, 1: 0x8877665544332211n, 2: ALL64, 3: ALL64, 4: ALL64 } },
    );
    expect(m.memory.read(0x1000n, 8)).toBe(0x44332211n);
    expect(m.memory.read(0x1008n, 8)).toBe(0x11n);
    expect(m.memory.read(0x1010n, 8)).toBe(0x2211n);
    expect(m.memory.read(0x1018n, 8)).toBe(0x8877665544332211n);
    expect(m.getX(2)).toBe(0x44332211n);
    expect(m.getX(3)).toBe(0x44n);
    expect(m.getX(4)).toBe(0x8877n);
    expect(m.getX(5)).toBe(0x8877665544332211n);
  });

  it("str w leaves the next four bytes alone", () => {
    const cfg = { x: { 0: 0x2000n, 1: 0x9200004fn } };
    const m = new Machine(cfg);
    m.memory.write(0x2000n, 8, 0xaaaaaaaaaaaaaaaan);
    runProgram(loadProgram(parseProgram("\tstr w1, [x0]\n\teret\n")), m);
    expect(m.memory.read(0x2000n, 8)).toBe(0xaaaaaaaa9200004fn);
  });

  it("index modes: offset, pre-index with writeback, post-index, unscaled", () => {
    const m = run(
      "\tstr x1, [x0, #-16]!\n\tldr x2, [x0], #16\n\tstr x1, [x0, #-8]\n\tldr x3, [x0, #-5]\n\tldr x4, [x8, #3]\n\tstr x1, [sp, #8]",
      { x: { 0: 0x3010n, 1: 0x0102030405060708n, 8: 0x3008n }, sp: 0x5000n },
    );
    expect(m.memory.read(0x3000n, 8)).toBe(0x0102030405060708n);
    expect(m.getX(2)).toBe(0x0102030405060708n);
    expect(m.getX(0)).toBe(0x3010n); // -16 then +16
    expect(m.memory.read(0x3008n, 8)).toBe(0x0102030405060708n);
    // 0x300b..0x3012 holds 05 04 03 02 01 (the top of the store at 0x3008) then zeros
    expect(m.getX(3)).toBe(0x0000000102030405n);
    expect(m.getX(4)).toBe(0x0000000102030405n); // 0x3008 + 3, an unscaled positive offset
    expect(m.memory.read(0x5008n, 8)).toBe(0x0102030405060708n);
  });

  it("ldp/stp: pre-index push, post-index pop, xzr as a target, w pairs", () => {
    const m = run(
      "\tstp x0, x1, [sp, #-16]!\n\tstp x2, x3, [sp, #-16]!\n\tldp x4, xzr, [sp], #16\n\tldp w5, w6, [sp]\n\tstp w1, w0, [x7, #252]",
      { x: { 0: 0x1111n, 1: 0x2222n, 2: 0x3333n, 3: 0x4444n, 7: 0x6000n }, sp: 0x9000n },
    );
    expect(m.memory.read(0x8ff0n, 8)).toBe(0x1111n);
    expect(m.memory.read(0x8ff8n, 8)).toBe(0x2222n);
    expect(m.memory.read(0x8fe0n, 8)).toBe(0x3333n);
    expect(m.memory.read(0x8fe8n, 8)).toBe(0x4444n);
    expect(m.getX(4)).toBe(0x3333n);
    expect(m.getSP()).toBe(0x8ff0n);
    expect(m.getX(5)).toBe(0x1111n);
    expect(m.getX(6)).toBe(0n); // the high half of x0's slot
    expect(m.memory.read(0x60fcn, 4)).toBe(0x2222n);
    expect(m.memory.read(0x6100n, 4)).toBe(0x1111n);
  });
});

describe("branches", () => {
  const outcome = (src: string, x: Record<number, bigint>) => {
    const program = loadProgram(parseProgram(`${src}\n\teret\n1:\tb __fpsimd_guest_restore\n`, { file: "br.S" }));
    return runProgram(program, new Machine({ x })).outcome.kind === "handler";
  };

  it("cbz/cbnz read only the named width", () => {
    expect(outcome("\tcbz w0, 1f", { 0: 0x100000000n })).toBe(true);
    expect(outcome("\tcbz x0, 1f", { 0: 0x100000000n })).toBe(false);
    expect(outcome("\tcbnz x0, 1f", { 0: 0x100000000n })).toBe(true);
  });

  it("tbz/tbnz on bits 0, 31 and 63", () => {
    expect(outcome("\ttbnz x1, #63, 1f", { 1: 0x8000000000000000n })).toBe(true);
    expect(outcome("\ttbz x1, #63, 1f", { 1: 0x8000000000000000n })).toBe(false);
    expect(outcome("\ttbnz w1, #31, 1f", { 1: 0x80000000n })).toBe(true);
    expect(outcome("\ttbz x1, #0, 1f", { 1: 0x2n })).toBe(true);
  });

  it("local labels resolve forwards and backwards, and b.hs/b.lo are b.cs/b.cc", () => {
    const src = "\tmov x0, #3\n1:\tsub x0, x0, #1\n\tcbnz x0, 1b\n\tcmp x0, #1\n\tb.lo 1f\n\teret\n1:\tb __fpsimd_guest_restore";
    const program = loadProgram(parseProgram(src, { file: "loop.S" }));
    const result = runProgram(program, new Machine());
    expect(result.outcome).toEqual({ kind: "handler", name: "__fpsimd_guest_restore" });
    expect(result.steps).toBe(1 + 3 * 2 + 2 + 1);
    expect(decoded("b.hs 1f\n1:")).toMatchObject({ op: "bcond", cond: 2 });
  });

  it("b __guest_exit ends the run with x1 as the exit code", () => {
    const program = loadProgram(parseProgram("\tmov x1, #7\n\tb __guest_exit\n"));
    expect(runProgram(program, new Machine()).outcome).toEqual({ kind: "guest-exit", exitCode: 7n });
  });
});
