// The QEMU 7.2 observations recorded in FACTS.md, reproduced by the model, and the places where
// QEMU 7.2 departs from the Arm ARM (the model follows the Arm ARM there; the QEMU value is noted).

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { MAIR_INDEX, TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { SH } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { translateGuestAccess } from "../../src/runtime/mmu/guest-access.ts";

function qemuLikeGuest(stage2: boolean): { builder: TranslationTableBuilder; memory: PhysicalMemory } {
  const memory = new PhysicalMemory();
  const builder = new TranslationTableBuilder({
    memory,
    tablePool: { base: 0x4400_0000n, size: 0x40_0000n },
    ...(stage2 ? { stage2: { ipaBits: 40 } } : {}),
  });
  // RAM at 0x40000000 identity-mapped by a 2M block, SH=0b11, MAIR attribute 0xff (index 0).
  builder.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2, sh: SH.INNER, attrIndx: MAIR_INDEX.NORMAL_WB });
  return { builder, memory };
}

describe("FACTS.md QEMU 7.2 observations", () => {
  it("AT S1E1R on a 2M block: PAR=0xff00000040001b80", () => {
    const { builder, memory } = qemuLikeGuest(false);
    // ATTR 0xff<<56 | PA[47:12]=0x40001<<12 | RES1 0x800 | NS 0x200 | SH 0b11<<7 = 0x180.
    expect(addressTranslateS1E1({ va: 0x4000_1234n, access: "read", sysreg: builder.sysreg(), memory })).toBe(
      0xff00_0000_4000_1b80n,
    );
  });

  it("AT S1E1R on an unmapped level-1 entry: PAR=0x80b", () => {
    const { builder, memory } = qemuLikeGuest(false);
    // VA 0x80000000: L1 index 2 has no entry -> Translation L1, FST 0x05: 0x800 | 0x05<<1 | 1.
    expect(addressTranslateS1E1({ va: 0x8000_0000n, access: "read", sysreg: builder.sysreg(), memory })).toBe(0x80bn);
  });

  it("guest load to an IPA stage 2 leaves unmapped: ESR FSC 0x05, FAR 0x180000040, HPFAR 0x1800000", () => {
    const { builder, memory } = qemuLikeGuest(true);
    builder.mapStage1(0x1_8000_0000n, 0x1_8000_0000n, 0x1000n);
    builder.mapStage2(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2 });
    const outcome = translateGuestAccess({ va: 0x1_8000_0040n, access: "read", kind: "data", sysreg: builder.sysreg(), memory });
    expect(outcome).toMatchObject({ outcome: "stage2-fault", fsc: 0x05, s1ptw: false, wnr: false });
    if (outcome.outcome !== "stage2-fault") throw new Error("unreachable");
    // ESR_EL2 = EC DABT_LOW 0x24<<26 | IL 1<<25 | ... | FSC: the low six bits 0x05 match 0x93c18005.
    expect(outcome.va).toBe(0x1_8000_0040n);
    expect((outcome.ipa >> 12n) << 4n).toBe(0x180_0000n);
  });
});

describe("where QEMU 7.2 departs from the Arm ARM", () => {
  it("Device memory: PAR.SH is 0b10 (QEMU 7.2 returns the descriptor's 0b11)", () => {
    const { builder, memory } = qemuLikeGuest(false);
    builder.updateStage1Leaf(0x4000_0000n, { attrIndx: MAIR_INDEX.DEVICE_nGnRE });
    const par = addressTranslateS1E1({ va: 0x4000_1234n, access: "read", sysreg: builder.sysreg(), memory });
    const qemu72 = 0x0400_0000_4000_1b80n;
    // ATTR 0x04, SH 0b10 -> 0x100: 0x0400000040001b00.
    expect(par).toBe(0x0400_0000_4000_1b00n);
    expect(par).not.toBe(qemu72);
  });

  it("PTW fault from AT: FST carries the stage-2 level (QEMU 7.2 uses the stage-1 level)", () => {
    const { builder, memory } = qemuLikeGuest(true);
    // Stage-1 level-0 table page (the root) unmapped at stage-2 level 3.
    builder.unmapStage2(builder.stage1TableIpa(0x4000_0000n, 0), 3);
    const par = addressTranslateS1E1({ va: 0x4000_1234n, access: "read", sysreg: builder.sysreg(), memory });
    // Arm ARM: FST 0x07 (stage-2 L3) -> 0xb0f. QEMU 7.2: FST 0x04 (stage-1 L0) -> 0xb09.
    expect(par).toBe(0xb0fn);
    expect(par).not.toBe(0xb09n);
  });
});
