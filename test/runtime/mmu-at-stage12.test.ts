// AT S12E1R/W and S12E0R/W executed at EL2 (AArch64.AT with the two-stage translation): PAR_EL1
// gives the PA with the stage-1 and stage-2 attributes combined (Arm ARM S2CombineS1MemAttrs), or
// the fault with S=1 for stage 2 and PTW=1 for a stage-2 fault on a stage-1 table fetch. Values are
// worked out by hand from the Arm ARM:
//   success PAR = ATTR<<56 | PA[47:12] | RES1 bit 11 (0x800) | NS bit 9 (0x200) | SH<<7
//   fault PAR   = 0x800 | S<<9 | PTW<<8 | FST<<1 | 1

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { addressTranslateS12 } from "../../src/runtime/mmu/at-stage12.ts";
import { DEFAULT_MAIR, TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { AP, S2AP, SH } from "../../src/runtime/mmu/descriptor-encoding.ts";
import type { TranslationRegisters } from "../../src/runtime/mmu/registers.ts";
import { loadProgram, parseProgram } from "../../src/runtime/asm/index.ts";
import { runProgram } from "../../src/runtime/machine/interpreter.ts";
import { Machine } from "../../src/runtime/machine/machine.ts";
import { AT_KINDS, atKindByEncoding, atSysFields } from "../../src/runtime/semantics/at-operations.ts";

// Attr5 Device-GRE, Attr6 Normal Write-Back transient (0b0101: W-allocate) inner and outer, Attr7 Device-nGRE.
const MAIR = DEFAULT_MAIR | (0x0cn << 40n) | (0x55n << 48n) | (0x08n << 56n);
const VA = 0x1234_5000n;
const IPA = 0x4034_5000n;
const PA = 0x6000_0000n;

function setUp(
  s1: Parameters<TranslationTableBuilder["mapStage1"]>[3] = {},
  s2: Parameters<TranslationTableBuilder["mapStage2"]>[3] = {},
): { b: TranslationTableBuilder; memory: PhysicalMemory } {
  const memory = new PhysicalMemory();
  const b = new TranslationTableBuilder({
    memory,
    tablePool: { base: 0x7000_0000n, size: 0x40_0000n },
    mair: MAIR,
    stage2: { ipaBits: 40 },
    stage1TableIpaBase: 0x8000_0000n,
  });
  b.mapStage1(VA, IPA, 0x1000n, { ap: AP.RW_ALL, ...s1 });
  b.mapStage2(IPA, PA, 0x1000n, s2);
  return { b, memory };
}

function s12(b: TranslationTableBuilder, memory: PhysicalMemory, access: "read" | "write", el: 0 | 1 = 1, va = VA, overrides: Partial<TranslationRegisters> = {}): bigint {
  return addressTranslateS12({ va, access, el, sysreg: b.sysreg(overrides), memory });
}

const ok = (attr: bigint, pa: bigint, sh: bigint): bigint => (attr << 56n) | pa | 0xa00n | (sh << 7n);
const fault = (fst: number, s2: boolean, ptw: boolean): bigint => 0x801n | (s2 ? 0x200n : 0n) | (ptw ? 0x100n : 0n) | (BigInt(fst) << 1n);

describe("AT S12E1R/W, S12E0R/W: the PA with combined attributes", () => {
  it("Normal Write-Back at both stages: the PA, ATTR 0xff, Inner Shareable", () => {
    const { b, memory } = setUp();
    for (const access of ["read", "write"] as const) {
      for (const el of [0, 1] as const) expect(s12(b, memory, access, el, VA + 0x678n)).toBe(ok(0xffn, PA + 0x000n, 0b11n));
    }
    // AT S1E1R on the same VA stops at the IPA.
    expect(addressTranslateS1E1({ va: VA, access: "read", sysreg: b.sysreg(), memory })).toBe(ok(0xffn, IPA, 0b11n));
  });

  it("stage-2 Device-nGnRE under stage-1 Normal: Device-nGnRE (0x04), Outer Shareable", () => {
    const { b, memory } = setUp({}, { memAttr: 0b0001 });
    expect(s12(b, memory, "read")).toBe(ok(0x04n, PA, 0b10n));
  });

  it("stage-1 Device-GRE under stage-2 Normal Non-cacheable: stage 1's Device type", () => {
    const { b, memory } = setUp({ attrIndx: 5 }, { memAttr: 0b0101 });
    expect(s12(b, memory, "read")).toBe(ok(0x0cn, PA, 0b10n));
  });

  it("Device at both stages: the more restrictive type (nGRE and nGnRE give nGnRE)", () => {
    const { b, memory } = setUp({ attrIndx: 7 }, { memAttr: 0b0001 });
    expect(s12(b, memory, "read")).toBe(ok(0x04n, PA, 0b10n));
    const gre = setUp({ attrIndx: 5 }, { memAttr: 0b0011 });
    expect(s12(gre.b, gre.memory, "read")).toBe(ok(0x0cn, PA, 0b10n));
  });

  it("stage-2 Write-Through under stage-1 Write-Back transient: Write-Through transient with stage 1's hints", () => {
    // 0b0101 (WB transient, W-allocate) with stage-2 WT (0b10) -> 0b0001 (WT transient, W-allocate).
    const { b, memory } = setUp({ attrIndx: 6, sh: SH.INNER }, { memAttr: 0b1010 });
    expect(s12(b, memory, "read")).toBe(ok(0x11n, PA, 0b11n));
  });

  it("Non-cacheable at one stage per nibble: only that nibble is NC; both NC is Outer Shareable", () => {
    // Stage 1 WB (0xff), stage 2 outer WB inner NC (0b1101): 0xf4, still Inner Shareable.
    const mixed = setUp({}, { memAttr: 0b1101 });
    expect(s12(mixed.b, mixed.memory, "read")).toBe(ok(0xf4n, PA, 0b11n));
    // Stage 2 Normal NC (0b0101): 0x44, Outer Shareable whatever the descriptors say.
    const nc = setUp({ sh: SH.NON_SHAREABLE }, { memAttr: 0b0101, sh: SH.NON_SHAREABLE });
    expect(s12(nc.b, nc.memory, "read")).toBe(ok(0x44n, PA, 0b10n));
  });

  it("shareability: Outer at either stage wins, then Inner, else Non-shareable", () => {
    const outer = setUp({ sh: SH.NON_SHAREABLE }, { sh: SH.OUTER });
    expect(s12(outer.b, outer.memory, "read")).toBe(ok(0xffn, PA, 0b10n));
    const inner = setUp({ sh: SH.NON_SHAREABLE }, { sh: SH.INNER });
    expect(s12(inner.b, inner.memory, "read")).toBe(ok(0xffn, PA, 0b11n));
    const none = setUp({ sh: SH.NON_SHAREABLE }, { sh: SH.NON_SHAREABLE });
    expect(s12(none.b, none.memory, "read")).toBe(ok(0xffn, PA, 0b00n));
    const s1outer = setUp({ sh: SH.OUTER }, { sh: SH.INNER });
    expect(s12(s1outer.b, s1outer.memory, "read")).toBe(ok(0xffn, PA, 0b10n));
  });
});

describe("AT S12*: faults", () => {
  it("stage-2 Translation fault on the final IPA: S=1, PTW=0, the stage-2 level", () => {
    const { b, memory } = setUp();
    b.unmapStage2(IPA, 3);
    expect(s12(b, memory, "read")).toBe(fault(0x07, true, false));
    b.unmapStage2(IPA, 2);
    expect(s12(b, memory, "write", 0)).toBe(fault(0x06, true, false));
  });

  it("stage-2 permissions follow the direction: a read-only page faults S12E1W, not S12E1R", () => {
    const ro = setUp({}, { s2ap: S2AP.READ_ONLY });
    expect(s12(ro.b, ro.memory, "read")).toBe(ok(0xffn, PA, 0b11n));
    expect(s12(ro.b, ro.memory, "write")).toBe(fault(0x0f, true, false));
    const wo = setUp({}, { s2ap: S2AP.WRITE_ONLY });
    expect(s12(wo.b, wo.memory, "read", 0)).toBe(fault(0x0f, true, false));
    expect(s12(wo.b, wo.memory, "write", 0)).toBe(ok(0xffn, PA, 0b11n));
    // AT S1E1W does not look at stage 2 of the output: the IPA.
    expect(addressTranslateS1E1({ va: VA, access: "write", sysreg: ro.b.sysreg(), memory: ro.memory })).toBe(ok(0xffn, IPA, 0b11n));
  });

  it("stage-2 Access flag fault on the final IPA (level 3)", () => {
    const { b, memory } = setUp({}, { af: false });
    expect(s12(b, memory, "read")).toBe(fault(0x0b, true, false));
  });

  it("stage 1 is checked at EL1 for S12E1*, at EL0 for S12E0*", () => {
    const el1only = setUp({ ap: AP.RW_EL1 });
    expect(s12(el1only.b, el1only.memory, "read", 1)).toBe(ok(0xffn, PA, 0b11n));
    expect(s12(el1only.b, el1only.memory, "read", 0)).toBe(fault(0x0f, false, false));
    const ro = setUp({ ap: AP.RO_ALL });
    expect(s12(ro.b, ro.memory, "read", 0)).toBe(ok(0xffn, PA, 0b11n));
    expect(s12(ro.b, ro.memory, "write", 1)).toBe(fault(0x0f, false, false));
  });

  it("a stage-1 fault wins over stage 2 of the output: the stage-1 FST, S=0", () => {
    const { b, memory } = setUp({}, { s2ap: S2AP.NONE });
    b.unmapStage1(VA, 3);
    expect(s12(b, memory, "read")).toBe(fault(0x07, false, false));
  });

  it("a stage-2 fault on a stage-1 table fetch: PTW=1, S=1, as AT S1E1R reports it", () => {
    const { b, memory } = setUp();
    b.unmapStage2(b.stage1TableIpa(VA, 3), 3);
    const s1 = addressTranslateS1E1({ va: VA, access: "read", sysreg: b.sysreg(), memory });
    expect(s1).toBe(fault(0x07, true, true));
    expect(s12(b, memory, "read")).toBe(s1);
    expect(s12(b, memory, "write", 0)).toBe(fault(0x07, true, true));
  });
});

describe("AT S12* with stage 2 disabled", () => {
  it("behaves as AT S1E1R/W and S1E0R/W (HCR_EL2.VM=0)", () => {
    const memory = new PhysicalMemory();
    const b = new TranslationTableBuilder({ memory, tablePool: { base: 0x7000_0000n, size: 0x40_0000n }, mair: MAIR });
    b.mapStage1(VA, IPA, 0x1000n, { ap: AP.RO_EL1, attrIndx: 5 });
    b.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2, attrIndx: 6, sh: SH.OUTER });
    for (const va of [VA, VA + 0x10_0000n, 0x4000_1234n, 1n << 50n]) {
      for (const access of ["read", "write"] as const) {
        for (const el of [0, 1] as const) {
          expect(s12(b, memory, access, el, va)).toBe(addressTranslateS1E1({ va, access, el, sysreg: b.sysreg(), memory }));
        }
      }
    }
    // Stage 1's own attributes, as AT S1E1R gives them: Device-GRE, SH 0b10 (EffectiveShareability).
    expect(s12(b, memory, "read", 1, VA)).toBe(ok(0x0cn, IPA, 0b10n));
  });
});

describe("AT S12* in the assembly interpreter and the object decoder's encodings", () => {
  it("at s12e1r/s12e1w/s12e0r/s12e0w at EL2 run the two-stage translation", () => {
    const { b, memory } = setUp({ ap: AP.RO_EL1 }, { s2ap: S2AP.READ_ONLY });
    const text = "h:\n at s12e1r, x0\n mrs x1, par_el1\n at s12e1w, x0\n mrs x2, par_el1\n at s12e0r, x0\n mrs x3, par_el1\n at s1e1r, x0\n mrs x4, par_el1\n eret\n";
    const m = new Machine({ memory, sysregs: { ...b.registers() }, x: { 0: VA }, el: 2 });
    runProgram(loadProgram(parseProgram(text, { file: "t.S" })), m, { entry: "h" });
    // S12E1R: the PA; S12E1W: stage 1's read-only page faults first (S=0); S12E0R: EL0 has no
    // access at stage 1; S1E1R: the IPA.
    expect([m.getX(1), m.getX(2), m.getX(3), m.getX(4)]).toEqual([ok(0xffn, PA, 0b11n), fault(0x0f, false, false), fault(0x0f, false, false), ok(0xffn, IPA, 0b11n)]);
  });

  it("every AT operation of dsl/arch decodes from its SYS encoding and back", () => {
    for (const k of AT_KINDS) expect(atKindByEncoding(atSysFields(k))).toBe(k);
    // binutils 2.40: at s12e1r, x0 = 0xd50c7880 = SYS #4, C7, C8, #4.
    expect(atSysFields("s12e1r")).toEqual({ op1: 4, crn: 7, crm: 8, op2: 4 });
    expect(atSysFields("S12E0W")).toEqual({ op1: 4, crn: 7, crm: 8, op2: 7 });
    expect(atKindByEncoding({ op1: 4, crn: 7, crm: 8, op2: 0 })).toBeUndefined(); // AT S1E2R: not modelled
  });
});
