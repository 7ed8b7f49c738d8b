// The instructions added for compiled code: conditional select and its aliases, ret, brk and the
// hints the model runs as NOP, through the assembler and the concrete semantics. Expected values
// are worked by hand from the Arm ARM's pseudocode (CSEL/CSINC/CSINV/CSNEG: Rn if
// ConditionHolds(cond), else Rm, Rm + 1, NOT(Rm), NOT(Rm) + 1; the aliases invert the condition).
import { describe, expect, it } from "vitest";
import { AsmError } from "../../src/runtime/asm/errors.ts";
import { parseProgram } from "../../src/runtime/asm/parser.ts";
import { loadProgram } from "../../src/runtime/asm/program.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import { Machine } from "../../src/runtime/machine/machine.ts";
import type { Nzcv } from "../../src/runtime/semantics/flags.ts";

const ALL64 = (1n << 64n) - 1n;

function flags(s: string): Nzcv<boolean> {
  return { n: s.includes("n"), z: s.includes("z"), c: s.includes("c"), v: s.includes("v") };
}

function run(line: string, x: Record<number, bigint>, nzcv: string) {
  const program = loadProgram(parseProgram(`\t${line}\n\teret\n`, { file: "sel.S" }));
  const m = new Machine({ x: { 0: 0x5a5a5a5a5a5a5a5an, ...x } });
  m.setFlags(flags(nzcv));
  const r = runProgram(program, m);
  return { m, r, insn: program.instructions[0].insn };
}

describe("conditional select", () => {
  it.each([
    // line, flags, expected x0
    ["csel x0, x1, x2, eq", "z", 0x1111n],
    ["csel x0, x1, x2, eq", "", 0x2222n],
    ["csinc x0, x1, x2, ne", "z", 0x2223n],
    ["csinc x0, x1, x2, ne", "", 0x1111n],
    ["csinv x0, x1, x2, cs", "", ALL64 - 0x2222n],
    ["csinv x0, x1, x2, cs", "c", 0x1111n],
    // GE holds when N == V; with N=1, V=0 it fails: -x2
    ["csneg x0, x1, x2, ge", "n", (1n << 64n) - 0x2222n],
    ["csneg x0, x1, x2, ge", "nv", 0x1111n],
    // W forms compute in 32 bits and zero-extend: 0xffffffff + 1 wraps to 0
    ["csinc w0, w1, w3, eq", "", 0n],
    ["csneg w0, w1, w4, mi", "", 0xffffffffn],
    // aliases: cset rd, cond = csinc rd, zr, zr, invert(cond)
    ["cset w0, eq", "z", 1n],
    ["cset w0, eq", "", 0n],
    ["csetm x0, hi", "c", ALL64],
    ["csetm x0, hi", "cz", 0n],
    ["cinc x0, x1, lo", "", 0x1112n],
    ["cinc x0, x1, lo", "c", 0x1111n],
    ["cinv x0, x1, vs", "v", ALL64 - 0x1111n],
    ["cneg x0, x1, le", "z", (1n << 64n) - 0x1111n],
    ["cneg x0, x1, le", "", 0x1111n],
  ] as const)("%s with flags {%s}", (line, nzcv, expected) => {
    const { m } = run(line, { 1: 0x1111n, 2: 0x2222n, 3: 0xffffffffn, 4: 1n }, nzcv);
    expect(m.getX(0)).toBe(expected);
  });

  it("aliases lower to the architectural instruction with the condition inverted", () => {
    expect(run("cset w0, eq", {}, "").insn).toEqual({ op: "condsel", kind: "csinc", width: 32, rd: { kind: "x", index: 0 }, rn: { kind: "zr" }, rm: { kind: "zr" }, cond: 1 });
    expect(run("cneg x0, x1, lt", {}, "").insn).toMatchObject({ kind: "csneg", rn: { kind: "x", index: 1 }, rm: { kind: "x", index: 1 }, cond: 10 });
  });

  it("rejects al/nv for the aliases and mixed widths", () => {
    expect(() => parseProgram("\tcset w0, al\n", { file: "e.S" })).toThrow(/e\.S:1:11: error: 'cset' cannot take condition al or nv/);
    expect(() => parseProgram("\tcsel x0, w1, x2, eq\n", { file: "e.S" })).toThrow(AsmError);
  });
});

describe("ret, brk and hints", () => {
  it("ret ends the run with a return to x30 (or the named register)", () => {
    const program = loadProgram(parseProgram("\tmov w0, #1\n\tret\n", { file: "r.S" }));
    const m = new Machine({ x: { 30: 0xffff800010002000n } });
    const r = runProgram(program, m);
    expect(r.outcome).toEqual({ kind: "return", target: 0xffff800010002000n });
    expect(m.getX(0)).toBe(1n);
    const r5 = runProgram(loadProgram(parseProgram("\tret x5\n", { file: "r.S" })), new Machine({ x: { 5: 0x1234n } }));
    expect(r5.outcome).toEqual({ kind: "return", target: 0x1234n });
  });

  it("brk ends the run with a breakpoint exception carrying its immediate", () => {
    const r = runProgram(loadProgram(parseProgram("\tbrk #0x800\n", { file: "b.S" })), new Machine());
    expect(r.outcome).toEqual({ kind: "breakpoint", imm16: 0x800 });
  });

  it("pointer-authentication, BTI and speculation hints change nothing on the model's PE", () => {
    const before = new Machine({ x: { 30: 0xffff800010002000n }, sp: 0x8000n });
    const program = loadProgram(parseProgram("\tpaciasp\n\tbti c\n\tcsdb\n\thint #25\n\tautiasp\n\txpaclri\n\teret\n", { file: "h.S" }));
    expect(program.instructions.slice(0, 6).map((i) => i.insn)).toEqual([25, 34, 20, 25, 29, 7].map((imm) => ({ op: "hint", imm })));
    const m = before.clone();
    runProgram(program, m);
    for (let i = 0; i <= 30; i++) expect(m.getX(i)).toBe(before.getX(i));
    expect(m.getSP()).toBe(before.getSP());
    expect(m.getFlags()).toEqual(before.getFlags());
  });

  it("refuses hints with effects the model does not have", () => {
    expect(() => parseProgram("\thint #2\n", { file: "h.S" })).toThrow(/h\.S:1:7: error: hint #2 is not modelled/);
    expect(() => parseProgram("\tbti x\n", { file: "h.S" })).toThrow(/bti takes c, j or jc/);
  });
});
