// Round-trip properties: whatever the builder maps, both AT and a guest access find again, for
// every granule and leaf level; and an address nobody mapped always faults.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { blockSize, granuleGeometry, type Granule } from "../../src/runtime/mmu/granule.ts";
import { translateGuestAccess } from "../../src/runtime/mmu/guest-access.ts";

const granules: Granule[] = ["4K", "16K", "64K"];

const mappingCase = fc
  .record({
    granule: fc.constantFrom(...granules),
    leafLevel: fc.constantFrom(2, 3),
    vaSlot: fc.bigInt({ min: 1n, max: 0x3fffn }),
    ipaSlot: fc.bigInt({ min: 1n, max: 0x1ffn }),
    offsetSeed: fc.bigInt({ min: 0n, max: (1n << 29n) - 1n }),
  })
  .map((c) => {
    const size = blockSize(granuleGeometry(c.granule), c.leafLevel);
    return { ...c, size, va: c.vaSlot * size, ipa: c.ipaSlot * size, offset: c.offsetSeed % size };
  })
  .filter((c) => c.va + c.size <= 1n << 48n && c.ipa + c.size <= 1n << 40n);

describe("mapping round trips", () => {
  it("AT returns the mapped IPA and a guest load the mapped PA", () => {
    fc.assert(
      fc.property(mappingCase, ({ granule, leafLevel, size, va, ipa, offset }) => {
        const memory = new PhysicalMemory();
        const builder = new TranslationTableBuilder({
          memory,
          granule,
          tablePool: { base: 0xf0_0000_0000n, size: 0x100_0000n },
          stage1TableIpaBase: 0xf0_0000_0000n,
          stage2: { ipaBits: 40 },
        });
        const pa = 0x4000_0000_0000n - size * 4n;
        builder.mapStage1(va, ipa, size, { level: leafLevel });
        builder.mapStage2(ipa, pa, size, { level: leafLevel });
        const sysreg = builder.sysreg();
        const par = addressTranslateS1E1({ va: va + offset, access: "write", sysreg, memory });
        expect(par & 1n).toBe(0n);
        expect(par & 0xffff_ffff_f000n).toBe((ipa + offset) & ~0xfffn);
        const outcome = translateGuestAccess({ va: va + offset, access: "read", kind: "data", sysreg, memory });
        expect(outcome).toMatchObject({ outcome: "success", ipa: ipa + offset, pa: pa + offset });
        // The leaf just past the mapping is a hole: a stage-1 Translation fault (F=1, FST 0x04-0x07).
        const next = addressTranslateS1E1({ va: va + size, access: "read", sysreg, memory });
        expect(next & 1n).toBe(1n);
        expect(Number((next >> 1n) & 0x3cn)).toBe(0x04);
      }),
      { numRuns: 60, seed: 20160201 },
    );
  });
});
