// AT S1E1R/W executed at EL2 with HCR_EL2.VM=1: the result is the IPA (stage 1 only), but each
// stage-1 descriptor fetch goes through stage 2. A stage-2 fault on a fetch is reported in PAR_EL1
// with F=1, PTW=1 (bit 8), S=1 (bit 9) and the stage-2 FST including the stage-2 level:
//   PAR = 0x800 | 0x200 | 0x100 | (FST << 1) | 1 = 0xb01 | (FST << 1)
//   FST 0x04 -> 0xb09, 0x05 -> 0xb0b, 0x06 -> 0xb0d, 0x07 -> 0xb0f, 0x0b -> 0xb17, 0x0f -> 0xb1f.
// QEMU 7.2 departs here: it puts the stage-1 lookup level in FST (FACTS.md, last section); the
// cases below say what QEMU 7.2 would return where the two levels differ.
//
// Set-up: 40-bit IPA space, stage 2 starts at level 1 with two concatenated tables (VTCR_EL2.SL0=1:
// 40 - 30 = 10 index bits = 1024 entries = 8K). Stage-1 tables sit at IPA 0x8000_0000 + n*4K
// (stage1TableIpaBase) backed by PA pages from the pool, and each is mapped at stage 2 by a page.

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1, type AtAccess } from "../../src/runtime/mmu/at.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { S2AP, S2_MEMATTR } from "../../src/runtime/mmu/descriptor-encoding.ts";
import type { TranslationRegisters } from "../../src/runtime/mmu/registers.ts";

const TABLE_IPA_BASE = 0x8000_0000n;

function guestTables(): { builder: TranslationTableBuilder; memory: PhysicalMemory } {
  const memory = new PhysicalMemory();
  const builder = new TranslationTableBuilder({
    memory,
    tablePool: { base: 0x7000_0000n, size: 0x40_0000n },
    stage2: { ipaBits: 40 },
    stage1TableIpaBase: TABLE_IPA_BASE,
  });
  // Guest kernel page VA 0x12345000 -> IPA 0x40345000, and a 2M block VA 0x40000000 -> IPA 0x40000000.
  builder.mapStage1(0x1234_5000n, 0x4034_5000n, 0x1000n);
  builder.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2 });
  return { builder, memory };
}

function at(
  builder: TranslationTableBuilder,
  memory: PhysicalMemory,
  va: bigint,
  access: AtAccess = "read",
  overrides: Partial<TranslationRegisters> = {},
): bigint {
  return addressTranslateS1E1({ va, access, sysreg: builder.sysreg(overrides), memory });
}

describe("AT S1E1R/W with stage 2 enabled", () => {
  it("lays out the stage-1 tables at the chosen IPAs", () => {
    const { builder } = guestTables();
    // Allocation order: L0 root, then L1, L2, L3 for 0x12345000, then L2 for 0x40000000.
    expect(builder.stage1TableIpa(0x1234_5000n, 0)).toBe(TABLE_IPA_BASE);
    expect(builder.stage1TableIpa(0x1234_5000n, 1)).toBe(TABLE_IPA_BASE + 0x1000n);
    expect(builder.stage1TableIpa(0x1234_5000n, 2)).toBe(TABLE_IPA_BASE + 0x2000n);
    expect(builder.stage1TableIpa(0x1234_5000n, 3)).toBe(TABLE_IPA_BASE + 0x3000n);
    const regs = builder.registers();
    expect(regs.TTBR0_EL1).toBe(TABLE_IPA_BASE);
    expect(regs.HCR_EL2 & 1n).toBe(1n);
    // VTCR_EL2: RES1 bit 31 | PS=101 (48) <<16 | TG0=00 | SH0=11<<12 | ORGN0=01<<10 | IRGN0=01<<8 | SL0=01<<6 | T0SZ=24.
    expect(regs.VTCR_EL2).toBe(0x8005_3558n);
  });

  it("returns the IPA even where stage 2 maps nothing", () => {
    const { builder, memory } = guestTables();
    // IPA 0x40345678 is not mapped at stage 2, but AT S1E1R stops at stage 1:
    // 0xff<<56 | 0x40345<<12 | 0xb80 = 0xff00000040345b80.
    expect(at(builder, memory, 0x1234_5678n)).toBe(0xff00_0000_4034_5b80n);
    expect(at(builder, memory, 0x4000_1234n)).toBe(0xff00_0000_4000_1b80n);
  });

  it("stage-2 translation fault on the level-3 table fetch: FST 0x07, PTW, S", () => {
    const { builder, memory } = guestTables();
    // The L3 table page (IPA 0x80003000) loses its stage-2 page: stage-2 level 3 -> FST 0x07 -> 0xb0f.
    builder.unmapStage2(builder.stage1TableIpa(0x1234_5000n, 3), 3);
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xb0fn);
    // The other walk does not use that page.
    expect(at(builder, memory, 0x4000_0000n)).toBe(0xff00_0000_4000_0b80n);
  });

  it("stage-2 translation fault on the level-1 table fetch reports the stage-2 level", () => {
    const { builder, memory } = guestTables();
    // Stage-1 level-1 table at IPA 0x80001000 unmapped at stage-2 level 3 -> FST 0x07 -> 0xb0f.
    // QEMU 7.2 would report the stage-1 level, FST 0x05 -> 0xb0b.
    builder.unmapStage2(builder.stage1TableIpa(0x1234_5000n, 1), 3);
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xb0fn);
  });

  it("stage-2 translation fault at stage-2 level 2 and level 1", () => {
    const { builder, memory } = guestTables();
    // Removing the stage-2 level-2 entry covering IPA 0x80000000..0x801fffff: every stage-1 table
    // fetch now faults at stage-2 level 2 -> FST 0x06 -> 0xb0d.
    builder.unmapStage2(TABLE_IPA_BASE, 2);
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xb0dn);
    // And the level-1 entry (1G at IPA 0x80000000, index 2 of the concatenated start table):
    // FST 0x05 -> 0xb0b.
    builder.unmapStage2(TABLE_IPA_BASE, 1);
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xb0bn);
  });

  it("stage-2 level-0 translation fault: table IPA beyond the 40-bit IPA space", () => {
    const { builder, memory } = guestTables();
    // TTBR0_EL1 = 0x10000000000 (bit 40): IPA out of VTCR_EL2.T0SZ range -> stage 2, level 0,
    // FST 0x04 -> 0xb09. (TCR_EL1.IPS is 48 bits, so stage 1 has no address size complaint.)
    expect(at(builder, memory, 0x1234_5000n, "read", { TTBR0_EL1: 0x100_0000_0000n })).toBe(0xb09n);
  });

  it("stage-2 permission fault on a descriptor fetch: walks need read permission", () => {
    const { builder, memory } = guestTables();
    const l2Table = builder.stage1TableIpa(0x1234_5000n, 2);
    // Write-only at stage 2 (S2AP=10): the walk's read fails at stage-2 level 3 -> FST 0x0f -> 0xb1f.
    builder.updateStage2Leaf(l2Table, { s2ap: S2AP.WRITE_ONLY });
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xb1fn);
    // Read-only at stage 2 is enough, also for AT S1E1W: the walk only reads.
    builder.updateStage2Leaf(l2Table, { s2ap: S2AP.READ_ONLY });
    expect(at(builder, memory, 0x1234_5000n, "write")).toBe(0xff00_0000_4034_5b80n);
  });

  it("stage-2 access flag fault on a descriptor fetch: FST 0x0b", () => {
    const { builder, memory } = guestTables();
    builder.updateStage2Leaf(builder.stage1TableIpa(0x1234_5000n, 3), { af: false });
    // Stage-2 level 3, Access flag -> FST 0x0b -> 0xb17.
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xb17n);
  });

  it("HCR_EL2.PTW: a stage-1 table in stage-2 Device memory is a stage-2 permission fault", () => {
    const { builder, memory } = guestTables();
    builder.updateStage2Leaf(builder.stage1TableIpa(0x1234_5000n, 3), { memAttr: S2_MEMATTR.DEVICE_nGnRE });
    // Without PTW the walk reads Device memory happily.
    expect(at(builder, memory, 0x1234_5000n)).toBe(0xff00_0000_4034_5b80n);
    // With HCR_EL2.PTW (bit 2): Permission fault at stage-2 level 3 -> 0xb1f.
    const hcr = builder.registers().HCR_EL2 | (1n << 2n);
    expect(at(builder, memory, 0x1234_5000n, "read", { HCR_EL2: hcr })).toBe(0xb1fn);
  });

  it("stage-2 address size fault on a descriptor fetch", () => {
    const { builder, memory } = guestTables();
    // A stage-2 page for the L3 table pointing at PA 0x1000000000000 is beyond PS=48 only with a
    // smaller PS; use VTCR_EL2.PS=010 (40 bits) and a PA with bit 44 set: stage-2 level 3, FST 0x03
    // -> 0xb01 | 0x06 = 0xb07.
    const l3Table = builder.stage1TableIpa(0x1234_5000n, 3);
    builder.writeStage2Entry(l3Table, 3, builder.readStage2Entry(l3Table, 3) | (1n << 44n));
    const vtcr = (builder.registers().VTCR_EL2 & ~(0b111n << 16n)) | (0b010n << 16n);
    expect(at(builder, memory, 0x1234_5000n, "read", { VTCR_EL2: vtcr })).toBe(0xb07n);
  });

  it("a stage-1 fault is still a stage-1 fault (S=0, PTW=0)", () => {
    const { builder, memory } = guestTables();
    // Level-3 hole under stage 2: FST 0x07, S=0, PTW=0 -> 0x80f.
    expect(at(builder, memory, 0x1234_6000n)).toBe(0x80fn);
  });
});
