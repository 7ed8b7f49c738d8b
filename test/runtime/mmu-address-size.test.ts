// The table builder's address-size controls and the walkers' Address size checks, through AT S1E1R
// at EL2 (PAR_EL1 = F | FST << 1 | PTW << 8 | S << 9 | RES1 << 11; FST address size L0..L3
// 0x00-0x03, translation L0 0x04). Values from the Arm ARM's rules (ARMv8.0 TranslationTableWalk,
// AArch64.OAOutOfRange): a base register beyond the output size faults at level 0, a table or
// leaf descriptor at its own level; stage-2 faults on a stage-1 walk set PTW and S.
import { describe, expect, it } from "vitest";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { TranslationTableBuilder, type TableBuilderOptions } from "../../src/runtime/mmu/builder.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";

const VA = 0x4000_0000n;
const POOL = { base: 0x5000_0000n, size: 0x100_0000n };

function built(options: Omit<TableBuilderOptions, "memory" | "tablePool">, edit: (b: TranslationTableBuilder) => void = () => {}): bigint {
  const memory = new PhysicalMemory();
  const b = new TranslationTableBuilder({ memory, tablePool: POOL, ...options });
  b.mapStage1(VA, VA, 0x1000n);
  edit(b);
  return addressTranslateS1E1({ va: VA, access: "read", sysreg: b.sysreg(), memory });
}

describe("stage 1 against TCR_EL1.IPS", () => {
  it("TTBR0 beyond IPS: level 0; a level-N table descriptor beyond: level N", () => {
    expect(built({ ipsBits: 40 }, (b) => b.setTableAddressBit(1, VA, 0, 40))).toBe(0x801n);
    expect(built({ ipsBits: 40 }, (b) => b.setTableAddressBit(1, VA, 1, 47))).toBe(0x801n);
    expect(built({ ipsBits: 40 }, (b) => b.setTableAddressBit(1, VA, 2, 41))).toBe(0x803n);
    expect(built({ ipsBits: 40 }, (b) => b.setTableAddressBit(1, VA, 3, 41))).toBe(0x805n);
    // The same bit inside IPS 44 names a level-3 table that is not there (zeroes): a level-3 Translation fault.
    expect(built({ ipsBits: 44 }, (b) => b.setTableAddressBit(1, VA, 3, 41))).toBe(0x80fn);
  });
});

describe("stage 2 against VTCR_EL2.PS, on the stage-1 walk", () => {
  it("VTTBR beyond PS: level 0; a stage-2 table descriptor: its level; the stage-2 page of a table: level 3", () => {
    const s2 = { stage2: { ipaBits: 40, paBits: 40 } };
    expect(built(s2, (b) => b.setTableAddressBit(2, 0n, 1, 40))).toBe(0xb01n);
    expect(built(s2, (b) => b.setTableAddressBit(2, b.stage1TableIpa(VA, 0), 2, 42))).toBe(0xb03n);
    expect(built(s2, (b) => b.setTableAddressBit(2, b.stage1TableIpa(VA, 0), 3, 42))).toBe(0xb05n);
    expect(built(s2, (b) => b.setStage1TablePageOutputBit(VA, 2, 45))).toBe(0xb07n);
    // PS 48 (the model's PAMax): bit 45 is inside it, the level-2 table's page reads as zeroes there,
    // so its descriptor is invalid: a stage-1 level-2 Translation fault.
    expect(built({ stage2: { ipaBits: 40 } }, (b) => b.setStage1TablePageOutputBit(VA, 2, 45))).toBe(0x80dn);
  });

  it("VTCR_EL2.SL0 as written: an unusable one faults every stage-2 walk at level 0", () => {
    expect(built({ stage2: { ipaBits: 40, sl0: 0 } })).toBe(0xb09n);
    expect(built({ stage2: { ipaBits: 40, sl0: 1 } }) & 1n).toBe(0n);
  });
});

describe("refusals", () => {
  const memory = new PhysicalMemory();
  it("a start level no start table can be built at", () => {
    expect(() => new TranslationTableBuilder({ memory, tablePool: POOL, stage2: { ipaBits: 40, startLevel: 2 } })).toThrow(
      "a 40-bit IPA space cannot start its 4K stage-2 walk at level 2 (its start table would have 2^19 entries; 2^1 to 2^13 can be walked)",
    );
    expect(() => new TranslationTableBuilder({ memory, tablePool: POOL, stage2: { ipaBits: 36, startLevel: 0 } })).toThrow(/level 0 \(its start table would have 2\^-3 entries/);
    expect(() => new TranslationTableBuilder({ memory, tablePool: POOL, stage2: { ipaBits: 40, sl0: 4 } })).toThrow("VTCR_EL2.SL0 4 is not a 2-bit value");
  });
  it("an address bit or a level the walk does not have", () => {
    const b = new TranslationTableBuilder({ memory, tablePool: POOL, vaBits: 39, stage2: { ipaBits: 40 } });
    b.mapStage1(VA, VA, 0x1000n);
    expect(() => b.setTableAddressBit(1, VA, 0, 44)).toThrow("stage-1 tables of 0x40000000 are read at levels 1..3, not 0");
    expect(() => b.setTableAddressBit(2, VA, 1, 48)).toThrow("address bit 48 is not 0..47");
    expect(() => b.setTableAddressBit(2, 1n << 38n, 3, 44)).toThrow("no level-2 table for 0x4000000000: level-1 entry is Invalid");
    b.mapStage2(1n << 38n, 0x6000_0000n, 0x20_0000n, { level: 2 });
    expect(() => b.setTableAddressBit(2, 1n << 38n, 3, 44)).toThrow("the stage-2 walk of 0x4000000000 reads no level-3 table: its level-2 entry is not a table");
  });
});
