// 16K and 64K granules, TG0/TG1 encodings, start levels and stage-2 concatenation.
//   TG0: 00 4K, 01 64K, 10 16K.   TG1: 01 16K, 10 4K, 11 64K.
//   S1 start level = 4 - ceil((inputsize - grainsize) / stride), stride = grainsize - 3.
//   S2 start level = 2 - SL0 (4K), 3 - SL0 (16K, 64K).

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { defaultStage2StartLevel, TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { decodeTG0, decodeTG1, granuleGeometry, type Granule } from "../../src/runtime/mmu/granule.ts";
import { translateGuestAccess } from "../../src/runtime/mmu/guest-access.ts";
import { s1StartLevel, s2StartLevel, s2StartLevelIsConsistent } from "../../src/runtime/mmu/start-level.ts";

describe("granule encodings and start levels", () => {
  it("decodes TG0 and TG1, whose encodings differ", () => {
    expect([0, 1, 2].map(decodeTG0)).toEqual(["4K", "64K", "16K"]);
    expect([1, 2, 3].map(decodeTG1)).toEqual(["16K", "4K", "64K"]);
  });

  it.each([
    // 4K: 48 -> 4 - ceil(36/9) = 0; 39 -> 4 - 3 = 1; 30 -> 4 - 2 = 2; 25 -> 4 - ceil(13/9) = 2
    ["4K", 48, 0], ["4K", 39, 1], ["4K", 30, 2], ["4K", 25, 2],
    // 16K: 48 -> 4 - ceil(34/11) = 0; 47 -> 4 - 3 = 1; 36 -> 4 - 2 = 2
    ["16K", 48, 0], ["16K", 47, 1], ["16K", 36, 2],
    // 64K: 48 -> 4 - ceil(32/13) = 1; 42 -> 4 - 2 = 2; 29 -> 4 - 1 = 3
    ["64K", 48, 1], ["64K", 42, 2], ["64K", 29, 3],
  ] as [Granule, number, number][])("stage-1 start level %s, %i-bit VA -> %i", (granule, inputsize, level) => {
    expect(s1StartLevel(granuleGeometry(granule), inputsize)).toBe(level);
  });

  it("stage-2 start level and concatenation limits", () => {
    const g4 = granuleGeometry("4K");
    expect(s2StartLevel(g4, 1)).toBe(1);
    // 40-bit IPA at level 1: 40 - 30 = 10 index bits (2 tables) fits 1..13.
    expect(s2StartLevelIsConsistent(g4, 1, 40, 48)).toBe(true);
    // 40-bit IPA at level 2: 40 - 21 = 19 index bits: more than 16 tables.
    expect(s2StartLevelIsConsistent(g4, 2, 40, 48)).toBe(false);
    // 4K level 0 needs PAMax > 42.
    expect(s2StartLevelIsConsistent(g4, 0, 48, 40)).toBe(false);
    // SL0=3 with 4K would be level -1: not in ARMv8.0.
    expect(s2StartLevelIsConsistent(g4, s2StartLevel(g4, 3), 40, 48)).toBe(false);
    expect(defaultStage2StartLevel(g4, 40)).toBe(1);
    expect(defaultStage2StartLevel(g4, 48)).toBe(0);
    expect(defaultStage2StartLevel(granuleGeometry("64K"), 42)).toBe(2);
  });
});

describe("walks with 16K and 64K granules", () => {
  it.each([
    // 16K: a 32M block at level 2 and a 16K page.
    { granule: "16K" as Granule, blockLevel: 2, block: 0x200_0000n, page: 0x4000n },
    // 64K: a 512M block at level 2 and a 64K page.
    { granule: "64K" as Granule, blockLevel: 2, block: 0x2000_0000n, page: 0x1_0000n },
  ])("$granule: blocks, pages, holes, and a stage-2 walk", ({ granule, blockLevel, block, page }) => {
    const memory = new PhysicalMemory();
    const builder = new TranslationTableBuilder({
      memory,
      granule,
      tablePool: { base: 0x7000_0000n, size: 0x100_0000n },
      stage2: { ipaBits: 40 },
    });
    const registers = builder.registers();
    // TG0 field of TCR_EL1 [15:14] and TG1 [31:30] follow their own encodings.
    expect(Number((registers.TCR_EL1 >> 14n) & 3n)).toBe(granule === "16K" ? 0b10 : 0b01);
    expect(Number((registers.TCR_EL1 >> 30n) & 3n)).toBe(granule === "16K" ? 0b01 : 0b11);

    const blockVa = 0x1_0000_0000n;
    builder.mapStage1(blockVa, 0x4000_0000n, block, { level: blockLevel });
    builder.mapStage1(0x2_0000_0000n, 0x6000_0000n, page, { level: 3 });
    builder.mapStage2(0x4000_0000n, 0x8000_0000n, block, { level: blockLevel });
    builder.mapStage2(0x6000_0000n, 0x9000_0000n, page, { level: 3 });
    const sysreg = builder.sysreg();
    const offset = block - 0x10n;
    // AT returns the IPA: 0x40000000 + offset, PAR.PA is bits [47:12].
    const expectedIpa = 0x4000_0000n + offset;
    expect(addressTranslateS1E1({ va: blockVa + offset, access: "read", sysreg, memory })).toBe(
      (0xffn << 56n) | ((expectedIpa >> 12n) << 12n) | 0xb80n,
    );
    expect(translateGuestAccess({ va: blockVa + offset, access: "write", kind: "data", sysreg, memory })).toMatchObject({
      outcome: "success",
      ipa: expectedIpa,
      pa: 0x8000_0000n + offset,
    });
    expect(translateGuestAccess({ va: 0x2_0000_0123n, access: "read", kind: "data", sysreg, memory })).toMatchObject({
      outcome: "success",
      pa: 0x9000_0123n,
    });
    // The next page is a level-3 hole: Translation L3 -> 0x80f.
    expect(addressTranslateS1E1({ va: 0x2_0000_0000n + page, access: "read", sysreg, memory })).toBe(0x80fn);
    // A level-1 block is not allowed with 16K/64K in ARMv8.0: Translation fault at level 1 -> 0x80b.
    builder.writeStage1Entry(0x3_0000_0000n, 1, 0x401n);
    expect(addressTranslateS1E1({ va: 0x3_0000_0000n, access: "read", sysreg, memory })).toBe(0x80bn);
  });
});
