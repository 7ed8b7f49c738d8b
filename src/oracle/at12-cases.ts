// Seeded random two-stage AT set-ups for the QEMU oracle (issue 14): stage-1 tables as in
// at-cases.ts (4K pages, 2M and 1G blocks, holes, AF=0, every AP, APTable, random MAIR attributes)
// whose output IPAs are mapped at stage 2 with pages and blocks of every valid stage-2 MemAttr
// (Device of each type, Normal of each inner/outer cacheability), every SH and S2AP, AF=0 leaves,
// holes carved at each stage-2 level on the final IPA, output PAs beyond the PA size, and stage-2
// faults under the stage-1 tables. A few set-ups turn stage 2 off (HCR_EL2.VM=0), where AT S12*
// must behave as AT S1*. Cases are AtCase (at-cases.ts), written by serialiseAtCases in the input
// format qemu/harness.c describes, which qemu/at12-harness.c reads too.
import { TranslationTableBuilder, DEFAULT_MAIR } from "../runtime/mmu/builder.ts";
import { S2AP } from "../runtime/mmu/descriptor-encoding.ts";
import { alignDown, makeAtCase, randomMairAttr, tryIt, type AtCase } from "./at-cases.ts";
import { AT_TABLE_POOL } from "./layout.ts";
import { RecordingMemory } from "./recording-memory.ts";
import { Rng } from "./rng.ts";

const KB4 = 0x1000n;
const MB2 = 0x20_0000n;
const GB1 = 0x4000_0000n;
const LEAF_SIZES: readonly bigint[] = [KB4, MB2, GB1];
/** IPAs the builder gives the stage-1 tables (the table pool's, identity-mapped at stage 2): final IPAs stay out of this 1G. */
const TABLE_IPA_GB = AT_TABLE_POOL.base / GB1;

/**
 * A valid stage-2 MemAttr<3:0> without FEAT_S2FWB: 0b00dd Device (dd any type), or Normal with
 * outer and inner each 01 (NC), 10 (WT) or 11 (WB). The reserved inner 00 is left out.
 */
function randomS2MemAttr(rng: Rng): number {
  if (rng.chance(0.3)) return rng.int(4);
  return ((1 + rng.int(3)) << 2) | (1 + rng.int(3));
}

/** Set-up `index` of the stream `seed`. */
export function generateAt12Case(seed: number, index: number): AtCase {
  const rng = new Rng(seed, `at12:${index}`);
  const memory = new RecordingMemory();
  const vaBits = rng.pick([48, 48, 39, 42]);
  const ipaBits = rng.pick([40, 40, 40, 36, 42]);
  let mair = DEFAULT_MAIR;
  for (let i = 5; i < 8; i++) mair |= randomMairAttr(rng) << BigInt(8 * i);
  const b = new TranslationTableBuilder({ memory, tablePool: AT_TABLE_POOL, vaBits, upperVaBits: 48, ipsBits: 48, mair, stage2: { ipaBits } });

  const ipaTop = 1n << BigInt(ipaBits);
  // A final IPA: inside the IPA space and outside the tables' gigabyte, mostly; now and then beyond
  // the IPA space (a stage-2 level-0 Translation fault).
  const randomIpa = (size: bigint): bigint => {
    if (rng.chance(0.05)) return alignDown(ipaTop + rng.below(1n << 43n), size);
    for (;;) {
      const ipa = alignDown(rng.below(ipaTop - size), size);
      if (ipa / GB1 !== TABLE_IPA_GB && (ipa + size - 1n) / GB1 !== TABLE_IPA_GB) return ipa;
    }
  };
  const lowerTop = 1n << BigInt(vaBits);
  const anchors: bigint[] = [];
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) anchors.push(alignDown(rng.below(lowerTop), GB1));

  const mapped: { va: bigint; ipa: bigint; size: bigint }[] = [];
  for (let i = 0, n = 3 + rng.int(6); i < n; i++) {
    const size = rng.chance(0.55) ? KB4 : rng.chance(0.7) ? MB2 : GB1;
    const va = size === GB1 ? rng.pick(anchors) : rng.pick(anchors) + alignDown(rng.below(GB1), size);
    const ipa = randomIpa(size);
    const attrs = {
      level: 3 - LEAF_SIZES.indexOf(size),
      ap: rng.int(4),
      af: !rng.chance(0.1),
      attrIndx: rng.int(8),
      sh: rng.pick([0b00, 0b10, 0b11]),
      pxn: rng.chance(0.5),
      uxn: rng.chance(0.5),
      nG: false,
    };
    if (tryIt(() => b.mapStage1(va, ipa, size, attrs))) mapped.push({ va, ipa, size });
  }

  // Stage 2 of the final IPAs: a leaf of a random size covering the IPA (or none: a hole), with
  // random attributes; PAs mostly inside 40 bits, some beyond the 44-bit PA size.
  for (const m of mapped) {
    if (m.ipa >= ipaTop || rng.chance(0.1)) continue;
    const size = rng.chance(0.6) ? KB4 : rng.chance(0.7) ? MB2 : GB1;
    if (size === GB1 && ipaBits < 32) continue;
    const ipa = alignDown(m.ipa, size);
    if (ipa / GB1 === TABLE_IPA_GB) continue;
    const pa = alignDown(rng.below(rng.chance(0.08) ? 1n << 47n : 1n << 40n), size);
    const attrs = {
      level: 3 - LEAF_SIZES.indexOf(size),
      memAttr: randomS2MemAttr(rng),
      sh: rng.pick([0b00, 0b10, 0b11]),
      s2ap: rng.chance(0.6) ? S2AP.READ_WRITE : rng.pick([S2AP.NONE, S2AP.READ_ONLY, S2AP.WRITE_ONLY]),
      af: !rng.chance(0.1),
      xn: rng.chance(0.3),
    };
    tryIt(() => b.mapStage2(ipa, pa, size, attrs));
    // Now and then a hole carved into that walk at a random stage-2 level.
    if (rng.chance(0.15)) tryIt(() => b.unmapStage2(m.ipa, rng.int(4)));
  }

  const probes: bigint[] = [];
  for (const m of mapped) probes.push(m.va + rng.below(m.size), m.va + rng.below(m.size));
  // Stage-1 holes, and stage-2 faults under the stage-1 tables (as at-cases.ts).
  for (const m of mapped) {
    if (rng.chance(0.15)) {
      const level = rng.int(4);
      if (tryIt(() => b.unmapStage1(m.va, level))) probes.push(m.va + rng.below(m.size));
    }
    if (rng.chance(0.15)) {
      let tableIpa: bigint;
      try {
        tableIpa = b.stage1TableIpa(m.va, rng.int(4));
      } catch {
        continue;
      }
      const kind = rng.int(4);
      if (kind === 0) tryIt(() => b.unmapStage2(tableIpa, 3));
      else if (kind === 1) tryIt(() => b.updateStage2Leaf(tableIpa, { s2ap: S2AP.NONE }));
      else if (kind === 2) tryIt(() => b.updateStage2Leaf(tableIpa, { s2ap: S2AP.WRITE_ONLY }));
      else tryIt(() => b.updateStage2Leaf(tableIpa, { af: false }));
    }
  }
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) probes.push(rng.pick(anchors) + rng.below(GB1));

  let registers = b.registers();
  // Stage 2 off in some set-ups: AT S12* is then AT S1*, and the stage-1 output is the PA.
  const stage2Off = rng.chance(0.12);
  if (stage2Off) registers = { ...registers, HCR_EL2: registers.HCR_EL2 & ~1n };
  const summary = `two-stage set-up ${index} (seed ${seed}): ${stage2Off ? "HCR_EL2.VM=0" : `${ipaBits}-bit IPA`}, ${vaBits}-bit VA, ${mapped.length} mappings`;
  return makeAtCase(index, summary, memory, registers, probes);
}

export function generateAt12Cases(seed: number, count: number): AtCase[] {
  return Array.from({ length: count }, (_, i) => generateAt12Case(seed, i));
}
