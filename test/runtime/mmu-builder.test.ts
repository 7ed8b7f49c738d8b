// The table builder: register values it hands out, and the mistakes it refuses.

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { DEFAULT_MAIR, TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";

const POOL = { base: 0x7000_0000n, size: 0x40_0000n };

describe("TranslationTableBuilder", () => {
  it("programs TCR_EL1, SCTLR_EL1, MAIR_EL1 and HCR_EL2 for a stage-1-only set-up", () => {
    const memory = new PhysicalMemory();
    const regs = new TranslationTableBuilder({ memory, tablePool: POOL }).registers();
    // TCR_EL1: T0SZ 16 (0x10) | IRGN0 01<<8 | ORGN0 01<<10 | SH0 11<<12 (0x3510) | TG0 00
    //   | T1SZ 16<<16 (0x100000) | EPD1 1<<23 (0x800000) | IRGN1 01<<24 | ORGN1 01<<26 | SH1 11<<28
    //   (0x35000000) | TG1 10<<30 (0x80000000) | IPS 101<<32 (0x500000000) = 0x5b5903510.
    expect(regs.TCR_EL1).toBe(0x5_b590_3510n);
    // SCTLR_EL1: RES1 0x30d00800 | I 1<<12 | C 1<<2 | M 1 = 0x30d01805.
    expect(regs.SCTLR_EL1).toBe(0x30d0_1805n);
    expect(regs.MAIR_EL1).toBe(DEFAULT_MAIR);
    // HCR_EL2: RW only; VM clear, VTTBR/VTCR unused.
    expect(regs.HCR_EL2).toBe(0x8000_0000n);
    expect(regs.VTTBR_EL2).toBe(0n);
    // The TTBR0 root is the first pool allocation.
    expect(regs.TTBR0_EL1).toBe(POOL.base);
  });

  it("enables TTBR1 walks once something is mapped there, and sets VM and VTTBR for stage 2", () => {
    const memory = new PhysicalMemory();
    const builder = new TranslationTableBuilder({ memory, tablePool: POOL, stage2: { ipaBits: 40, vmid: 5 } });
    builder.mapStage1(0xffff_0000_0000_0000n, 0x4000_0000n, 0x1000n);
    const regs = builder.registers();
    expect((regs.TCR_EL1 >> 23n) & 1n).toBe(0n);
    expect(regs.TTBR1_EL1).not.toBe(0n);
    expect(regs.HCR_EL2).toBe(0x8000_0001n);
    // The stage-2 root (two concatenated 4K tables, 8K aligned) is allocated first; VMID 5 at [63:48].
    expect(regs.VTTBR_EL2).toBe((5n << 48n) | POOL.base);
  });

  it("refuses mappings it could only place wrongly", () => {
    const memory = new PhysicalMemory();
    const builder = new TranslationTableBuilder({ memory, tablePool: POOL, vaBits: 39, stage2: { ipaBits: 40 } });
    // Misaligned for the leaf size.
    expect(() => builder.mapStage1(0x1000n, 0x20_0000n, 0x20_0000n, { level: 2 })).toThrow(/aligned/);
    // Outside the 39-bit TTBR0 range.
    expect(() => builder.mapStage1(0x80_0000_0000n, 0n, 0x1000n)).toThrow(/VA range/);
    // Outside the 40-bit IPA space.
    expect(() => builder.mapStage2(0x100_0000_0000n, 0n, 0x1000n)).toThrow(/IPA space/);
    // A level-0 block with 4K.
    expect(() => builder.mapStage2(0n, 0n, 0x80_0000_0000n, { level: 0 })).toThrow(/level 0/);
    // A 2M stage-2 block over the stage-1 table pages' level-3 table would orphan them.
    expect(() => builder.mapStage2(POOL.base, POOL.base, 0x20_0000n, { level: 2 })).toThrow(/replace a table/);
  });

  it("leaves stage-1 table pages out of stage 2 on request", () => {
    const memory = new PhysicalMemory();
    const builder = new TranslationTableBuilder({
      memory,
      tablePool: POOL,
      stage2: { ipaBits: 40 },
      mapStage1TablesAtStage2: false,
    });
    builder.mapStage1(0x1000n, 0x4000_1000n, 0x1000n);
    expect(() => builder.readStage2Entry(builder.stage1TableIpa(0x1000n, 0), 3)).toThrow(/no level-3 table/);
  });
});
