// TranslationTableBuilder.fork: a builder that goes on from another's state in a copy of its
// memory must build what one builder making every call from the start builds (the same table
// words at the same addresses, the same registers), leave the builder it came from as it was, and
// not see its siblings' tables. The trap builder forks its set-ups' first mapping (trap.ts).
import { describe, expect, it } from "vitest";
import { generateTrapCases } from "../../src/oracle/trap-cases.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { TranslationTableBuilder, type TableBuilderOptions } from "../../src/runtime/mmu/builder.ts";
import { S2AP } from "../../src/runtime/mmu/descriptor-encoding.ts";

const POOL = { base: 0x7000_0000n, size: 0x10_0000n };

/** Every 32-bit word of the table pool, as "address:value" for those that are not zero. */
function poolWords(memory: PhysicalMemory): string[] {
  const words: string[] = [];
  for (let a = Number(POOL.base); a < Number(POOL.base + POOL.size); a += 4) {
    const w = memory.readUint32(a);
    if (w !== 0) words.push(`${a.toString(16)}:${w.toString(16)}`);
  }
  return words;
}

type Step = (b: TranslationTableBuilder) => void;

const steps: Step[] = [
  (b) => b.mapStage1(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2 }),
  (b) => b.mapStage1(0xffff_ff80_0012_3000n, 0x8_1234_5000n, 0x2000n),
  (b) => b.mapStage2(0x4000_0000n, 0x4000_0000n, 0x20_0000n, { level: 2 }),
  (b) => b.mapStage2(0x8_1234_5000n, 0x6000_1000n, 0x1000n, { s2ap: S2AP.READ_ONLY }),
  (b) => b.moveStage1Table(0xffff_ff80_0012_3000n, 3, 0x9_0000_0000n),
  (b) => b.setTableAddressBit(1, 0xffff_ff80_0012_3000n, 2, 47),
];

function options(memory: PhysicalMemory, ipaBase?: bigint): TableBuilderOptions {
  return { memory, tablePool: POOL, stage2: { ipaBits: 40 }, ...(ipaBase !== undefined ? { stage1TableIpaBase: ipaBase } : {}) };
}

describe("TranslationTableBuilder.fork", () => {
  for (const ipaBase of [undefined, 0x2_0000_0000n]) {
    it(`builds what the same calls from the start build, forked after any of them (stage-1 tables at ${ipaBase === undefined ? "IPA = PA" : "IPAs of their own"})`, () => {
      const whole = new PhysicalMemory();
      const one = new TranslationTableBuilder(options(whole, ipaBase));
      for (const step of steps) step(one);
      for (let at = 0; at <= steps.length; at++) {
        const start = new TranslationTableBuilder(options(new PhysicalMemory(), ipaBase));
        steps.slice(0, at).forEach((step) => step(start));
        const before = poolWords(start.tableMemory);
        const fork = start.fork();
        steps.slice(at).forEach((step) => step(fork));
        expect(fork.registers()).toEqual(one.registers());
        expect(fork.stage1TableIpaWindow()).toEqual(one.stage1TableIpaWindow());
        expect(poolWords(fork.tableMemory)).toEqual(poolWords(whole));
        // The builder forked from is as it was, and a second fork sees nothing of the first's.
        expect(poolWords(start.tableMemory)).toEqual(before);
        expect(poolWords(start.fork().tableMemory)).toEqual(before);
      }
    });
  }

  it("builds the QEMU oracle's trap tables as they are built from the start, forked after the first mapping", () => {
    for (const c of generateTrapCases(3, 12)) {
      const whole = new PhysicalMemory();
      const one = new TranslationTableBuilder(options(whole));
      const start = new TranslationTableBuilder(options(new PhysicalMemory()));
      const [first, ...rest] = c.input.stage1;
      for (const b of [one, start]) b.mapStage1(first.va, first.ipa, first.size ?? 0x1000n, { level: first.level, ap: first.ap, pxn: first.pxn, uxn: first.uxn });
      const fork = start.fork();
      for (const b of [one, fork]) {
        for (const m of rest) b.mapStage1(m.va, m.ipa, m.size ?? 0x1000n, { level: m.level, ap: m.ap, af: m.af, pxn: m.pxn, uxn: m.uxn, attrIndx: m.attrIndx });
        for (const m of c.input.stage2) b.mapStage2(m.ipa, m.pa, m.size ?? 0x1000n, { level: m.level, s2ap: m.s2ap, af: m.af, xn: m.xn, memAttr: m.memAttr });
      }
      expect(fork.registers()).toEqual(one.registers());
      expect(poolWords(fork.tableMemory)).toEqual(poolWords(whole));
    }
  });
});
