// The walks hold descriptors as two 32-bit words and addresses as Numbers of at most 48 bits
// (descriptor.ts, table-walk.ts), keep stage 2 of stage-1 table pages per memory generation
// (s2-table-memo.ts) and walk parameters while their registers hold (walk-params.ts). Each is
// checked here against the Arm ARM's bit-field definitions on bigints, and the kept results
// against a memory or registers that change under them.

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { field, reverseBytes64 } from "../../src/runtime/mmu/bits.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { addressBitsOfWords, leafOutputAddress, nextTableAddress, S1Table } from "../../src/runtime/mmu/descriptor.ts";
import { granuleGeometry, levelShift, type Granule } from "../../src/runtime/mmu/granule.ts";
import { fetchDescriptorWords, ttBaseAddress, ttEntryAddress } from "../../src/runtime/mmu/table-walk.ts";

/** A deterministic stream of 64-bit values (splitmix64). */
function values(seed: bigint): () => bigint {
  let state = seed;
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

const GRANULES: readonly Granule[] = ["4K", "16K", "64K"];
const lo = (d: bigint) => Number(d & 0xffffffffn);
const hi = (d: bigint) => Number(d >> 32n);

describe("the walks' Number forms against the bit-field definitions", () => {
  it("descriptor address bits, table and leaf addresses", () => {
    const next = values(1n);
    for (let i = 0; i < 200; i++) {
      const d = next();
      const input = next();
      for (let shift = 0; shift <= 47; shift++) {
        expect(addressBitsOfWords(lo(d), hi(d), shift)).toBe(Number(field(d, 47, shift) << BigInt(shift)));
      }
      for (const granule of GRANULES) {
        const g = granuleGeometry(granule);
        expect(nextTableAddress(d, g)).toBe(field(d, 47, g.grainsize) << BigInt(g.grainsize));
        for (let level = g.firstblocklevel; level <= 3; level++) {
          const shift = levelShift(g, level);
          expect(leafOutputAddress(d, g, level, input)).toBe((field(d, 47, shift) << BigInt(shift)) | field(input, shift - 1, 0));
        }
      }
      expect(S1Table.apTable(d)).toBe(Number(field(d, 62, 61)));
      expect(S1Table.pxnTable(d)).toBe(field(d, 59, 59) === 1n);
      expect(S1Table.uxnTable(d)).toBe(field(d, 60, 60) === 1n);
    }
  });

  it("start-table and entry addresses for every granule, level and input size", () => {
    const next = values(2n);
    for (let i = 0; i < 30; i++) {
      const base = next();
      const input = next();
      for (const granule of GRANULES) {
        const g = granuleGeometry(granule);
        for (let inputsize = 25; inputsize <= 48; inputsize++) {
          for (let start = 0; start <= 3; start++) {
            const span = inputsize - levelShift(g, start);
            // Start levels a walk can have: at least one index bit, at most 16 concatenated tables.
            if (span < 1 || span > g.stride + 4) continue;
            const baselowerbound = 3 + span;
            const table = ttBaseAddress(base, g, inputsize, start);
            expect(table).toBe(field(base, 47, baselowerbound) << BigInt(baselowerbound));
            for (let level = start; level <= 3; level++) {
              const bottom = levelShift(g, level);
              const top = level === start ? inputsize - 1 : bottom + g.stride - 1;
              // Below the start level, a table of one granule.
              const tablebase = level === start ? table : field(base, 47, g.grainsize) << BigInt(g.grainsize);
              expect(ttEntryAddress(tablebase, g, level, input, top)).toBe(tablebase | (field(input, top, bottom) << 3n));
            }
          }
        }
      }
    }
  });

  it("a descriptor fetched as words, either endianness, and outside the map", () => {
    const memory = new PhysicalMemory();
    const next = values(3n);
    for (let i = 0; i < 200; i++) {
      const d = next();
      const pa = 0x4000_0000n + BigInt(i) * 8n;
      memory.write(pa, 8, d);
      const words = { lo: 0, hi: 0 };
      expect(fetchDescriptorWords(memory, Number(pa), false, words)).toBe(true);
      expect((BigInt(words.hi) << 32n) | BigInt(words.lo)).toBe(d);
      expect(fetchDescriptorWords(memory, Number(pa), true, words)).toBe(true);
      expect((BigInt(words.hi) << 32n) | BigInt(words.lo)).toBe(reverseBytes64(d));
      expect(memory.readUint32(Number(pa) + 4)).toBe(Number(memory.read(pa + 4n, 4)));
    }
    // Not 8-byte aligned (read word by word, not by readUint32Pair), across a page boundary, and a page never written (zeros).
    for (const pa of [0x4000_0004n, 0x5000_0ffcn, 0x6000_0000n]) {
      if (pa !== 0x6000_0000n) memory.write(pa, 8, next());
      const words = { lo: -1, hi: -1 };
      expect(fetchDescriptorWords(memory, Number(pa), false, words)).toBe(true);
      expect((BigInt(words.hi) << 32n) | BigInt(words.lo)).toBe(memory.read(pa, 8));
    }
    const pair = { lo: -1, hi: -1 };
    memory.readUint32Pair(0x6000_0000, pair);
    expect(pair).toEqual({ lo: 0, hi: 0 });
  });
});

describe("what the walks keep", () => {
  const TABLE_IPA_BASE = 0x8000_0000n;
  function twoStage(): { builder: TranslationTableBuilder; memory: PhysicalMemory } {
    const memory = new PhysicalMemory();
    const builder = new TranslationTableBuilder({
      memory,
      tablePool: { base: 0x7000_0000n, size: 0x40_0000n },
      stage2: { ipaBits: 40 },
      stage1TableIpaBase: TABLE_IPA_BASE,
    });
    builder.mapStage1(0x1234_5000n, 0x4034_5000n, 0x1000n);
    builder.mapStage1(0x1234_6000n, 0x4034_6000n, 0x1000n);
    return { builder, memory };
  }

  it("a memory generation changes with every write, fill and lazy page, not with reads or clones", () => {
    const memory = new PhysicalMemory();
    const g0 = memory.generation;
    memory.read(0x1000n, 8);
    memory.readUint32(0x1000);
    memory.clone();
    expect(memory.generation).toBe(g0);
    memory.write(0x1000n, 8, 0n);
    const g1 = memory.generation;
    expect(g1).not.toBe(g0);
    memory.fill(0x2000n, 0x1000n, 0);
    const g2 = memory.generation;
    expect(g2).not.toBe(g1);
    memory.lazyPage(0x3000n, (page) => page.fill(1));
    expect(memory.generation).not.toBe(g2);
  });

  it("stage 2 of a stage-1 table page is walked again after that page's stage-2 descriptor changes", () => {
    const { builder, memory } = twoStage();
    const at = (va: bigint) => addressTranslateS1E1({ va, access: "read", sysreg: builder.sysreg(), memory });
    expect(at(0x1234_5000n)).toBe(0xff00_0000_4034_5b80n);
    expect(at(0x1234_6000n)).toBe(0xff00_0000_4034_6b80n);
    // The level-3 table (both VAs share it) loses its stage-2 page: a stage-2 level-3 Translation
    // fault on the fetch (FST 0x07, PTW, S), for the VA translated before and the other one.
    builder.unmapStage2(builder.stage1TableIpa(0x1234_5000n, 3), 3);
    expect(at(0x1234_5000n)).toBe(0xb0fn);
    expect(at(0x1234_6000n)).toBe(0xb0fn);
  });

  it("the same memory under other stage-2 registers is walked under those", () => {
    const { builder, memory } = twoStage();
    const at = (vttbr?: bigint) => addressTranslateS1E1({ va: 0x1234_5000n, access: "read", sysreg: builder.sysreg(vttbr === undefined ? {} : { VTTBR_EL2: vttbr }), memory });
    expect(at()).toBe(0xff00_0000_4034_5b80n);
    // VTTBR_EL2 naming a start table of zeros: the first stage-1 fetch meets a stage-2 level-1
    // Translation fault (FST 0x05, PTW, S), whatever was kept for the real tables.
    expect(at(0x7f00_0000n)).toBe(0xb0bn);
    expect(at()).toBe(0xff00_0000_4034_5b80n);
  });
});
