// AT S1E1A (FEAT_ATS1A: stage-1 translation without permission checks) and AT S1E0R/S1E0W (EL0
// permissions), on the same kernel-like tables as mmu-at-stage1.test.ts. PAR values as there:
// success on the level-3 page = 0xff000008_76543b80; a Permission fault at level 3 (FST 0x0F) =
// 0x800 | 0x0f << 1 | 1 = 0x81f; a Translation fault at level 3 (FST 0x07) = 0x80f.
import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1, type AtAccess } from "../../src/runtime/mmu/at.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { AP } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { parseProgram, loadProgram } from "../../src/runtime/asm/index.ts";
import { Machine } from "../../src/runtime/machine/machine.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";

const PAGE_OK = 0xff00_0008_7654_3b80n;

function tables(ap: number): { builder: TranslationTableBuilder; memory: PhysicalMemory } {
  const memory = new PhysicalMemory();
  const builder = new TranslationTableBuilder({ memory, tablePool: { base: 0x7000_0000n, size: 0x40_0000n } });
  builder.mapStage1(0x1234_5000n, 0x8_7654_3000n, 0x1000n, { level: 3, ap });
  return { builder, memory };
}

function at(ap: number, va: bigint, access: AtAccess, el: 0 | 1): bigint {
  const { builder, memory } = tables(ap);
  return addressTranslateS1E1({ va, access, el, sysreg: builder.sysreg({}), memory });
}

describe("AT S1E1A and S1E0*", () => {
  it.each([
    ["S1E1A on an EL1 read-only page (no permission check)", AP.RO_EL1, 0x1234_5000n, "any", 1, PAGE_OK],
    ["S1E1A on an EL1 read/write page", AP.RW_EL1, 0x1234_5000n, "any", 1, PAGE_OK],
    ["S1E1A still reports a translation fault", AP.RW_EL1, 0x1234_6000n, "any", 1, 0x80fn],
    ["S1E1W on the read-only page faults (for contrast)", AP.RO_EL1, 0x1234_5000n, "write", 1, 0x81fn],
    ["S1E0R on an EL1-only page: permission fault", AP.RW_EL1, 0x1234_5000n, "read", 0, 0x81fn],
    ["S1E0R on an EL0-accessible page", AP.RW_ALL, 0x1234_5000n, "read", 0, PAGE_OK],
    ["S1E0W on a page read-only at EL0: permission fault", AP.RO_ALL, 0x1234_5000n, "write", 0, 0x81fn],
    ["S1E0W on an EL0 read/write page", AP.RW_ALL, 0x1234_5000n, "write", 0, PAGE_OK],
  ] as const)("%s", (_name, ap, va, access, el, par) => {
    expect(at(ap, va, access, el)).toBe(par);
  });

  it("the interpreter runs at s1e1a, s1e0r and s1e0w through the MMU", () => {
    const { builder, memory } = tables(AP.RO_EL1);
    const program = loadProgram(parseProgram("h:\n at s1e1a, x0\n mrs x1, par_el1\n at s1e1w, x0\n mrs x2, par_el1\n at s1e0r, x0\n mrs x3, par_el1\n eret\n", { file: "t.S" }));
    const regs = builder.registers();
    const m = new Machine({ memory, sysregs: { ...regs }, x: { 0: 0x1234_5000n } });
    runProgram(program, m, { entry: "h" });
    expect([m.getX(1), m.getX(2), m.getX(3)]).toEqual([PAGE_OK, 0x81fn, 0x81fn]);
  });
});
