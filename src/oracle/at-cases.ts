// Seeded random AT set-ups for the QEMU oracle (issue 6, section 1): stage-1 tables with 4K pages,
// 2M and 1G blocks, holes at each level, AF=0 entries, read-only entries, APTable, reserved
// descriptor encodings, MAIR attributes of every valid kind, output addresses beyond the PA size
// (leaves, table descriptors and TTBRs beyond IPS; stage-2 pages of stage-1 tables, stage-2 table
// descriptors and VTTBR beyond VTCR_EL2.PS; stage-1 tables at IPAs beyond VTCR_EL2.T0SZ; PS and
// SL0 varied, unusable start levels included);
// with and without stage 2, where the stage-1 tables' own pages may be unmapped at stage 2 at
// levels 1-3, have no access, be write-only, or have AF=0 ("stage-2 holes under stage-1 tables"),
// or be stage-2 Device memory with HCR_EL2.PTW set or clear.
// Every set-up is built with the project's TranslationTableBuilder in a RecordingMemory, and comes
// with the VAs to probe. serialiseAtCases writes the harness input (qemu/harness.c describes it).
import { TranslationTableBuilder, DEFAULT_MAIR, defaultStage2StartLevel } from "../runtime/mmu/builder.ts";
import { granuleGeometry } from "../runtime/mmu/granule.ts";
import { s2StartLevel, s2StartLevelIsConsistent } from "../runtime/mmu/start-level.ts";
import { S2AP, S2_MEMATTR } from "../runtime/mmu/descriptor-encoding.ts";
import type { TranslationRegisters } from "../runtime/mmu/registers.ts";
import { REGISTER_NAMES } from "../runtime/mmu/registers.ts";
import { AT_TABLE_POOL, ORACLE_AREA_BASE, ORACLE_AREA_END, QEMU_A57_PA_BITS } from "./layout.ts";
import { pushMemoryImage, RecordingMemory, wordsToBytes } from "./recording-memory.ts";
import type { MemoryImage } from "./recording-memory.ts";
import { Rng } from "./rng.ts";

export interface AtCase {
  readonly index: number;
  /** One line saying what kind of set-up this is (for failure messages). */
  readonly summary: string;
  readonly registers: TranslationRegisters;
  /** The model's memory holding the tables. */
  readonly memory: RecordingMemory;
  readonly image: MemoryImage;
  readonly probes: readonly bigint[];
}

export const AT_MAGIC = 0x6661756c74634154n; // "faultcAT"

const KB4 = 0x1000n;
const MB2 = 0x20_0000n;
const GB1 = 0x4000_0000n;
const LEAF_SIZES: readonly bigint[] = [KB4, MB2, GB1];

/** Valid ARMv8.0 MAIR attributes: the four Device types and Normal memory of any cacheability. */
export function randomMairAttr(rng: Rng): bigint {
  if (rng.chance(0.3)) return BigInt(rng.pick([0x00, 0x04, 0x08, 0x0c]));
  // Normal nibbles: 0b0100 Non-cacheable, 0b00RW / 0b01RW (RW != 00) transient, 0b10RW / 0b11RW.
  const nibbles = [0x4, 0x1, 0x2, 0x3, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf];
  const outer = rng.chance(0.3) ? 0x4 : rng.pick(nibbles);
  const inner = rng.chance(0.3) ? 0x4 : rng.pick(nibbles);
  return BigInt((outer << 4) | inner);
}

export function alignDown(v: bigint, a: bigint): bigint {
  return v - (v % a);
}

export function tryIt(f: () => void): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

/** Set-up `index` of the stream `seed`. */
export function generateAtCase(seed: number, index: number): AtCase {
  const rng = new Rng(seed, `at:${index}`);
  const memory = new RecordingMemory();
  const stage2 = rng.chance(0.5);
  const vaBits = rng.pick([48, 48, 39, 42, 36]);
  const upperVaBits = rng.pick([48, 39]);
  const ipsBits = rng.pick([48, 48, 44, 40, 36]);
  const ipaBits = rng.pick([40, 40, 36, 42, 32]);
  let mair = DEFAULT_MAIR;
  for (let i = 5; i < 8; i++) mair |= randomMairAttr(rng) << BigInt(8 * i);
  // Stage-2 sizes (issue 14) from a stream of their own, so that the draws of the rest stay as they
  // were: VTCR_EL2.PS, and now and then an SL0 other than the default (an unusable one included).
  const sizes = new Rng(seed, `at-sizes:${index}`);
  const paBits = sizes.pick([48, 48, 44, 40, 36]);
  const sl0 = sizes.chance(0.1) ? sizes.int(4) : undefined;
  const sl0Level = sl0 === undefined ? undefined : s2StartLevel(granuleGeometry("4K"), sl0);
  const sl0Usable = sl0Level !== undefined && s2StartLevelIsConsistent(granuleGeometry("4K"), sl0Level, ipaBits, QEMU_A57_PA_BITS);
  const stage2Setup = { ipaBits, paBits, ...(sl0 !== undefined ? { sl0, ...(sl0Usable ? { startLevel: sl0Level } : {}) } : {}) };
  const tableIpaBase = stage2 && ipaBits >= 34 && rng.chance(0.5) ? alignDown(0x8000_0000n + rng.below((1n << BigInt(ipaBits - 1)) - 0x8000_0000n), KB4) : undefined;
  const b = new TranslationTableBuilder({
    memory,
    tablePool: AT_TABLE_POOL,
    vaBits,
    upperVaBits,
    ipsBits,
    mair,
    ...(stage2 ? { stage2: stage2Setup } : {}),
    ...(tableIpaBase !== undefined ? { stage1TableIpaBase: tableIpaBase } : {}),
  });

  const lowerTop = 1n << BigInt(vaBits);
  const upperBase = (1n << 64n) - (1n << BigInt(upperVaBits));
  // A few 1G-aligned neighbourhoods, so that mappings share tables and leave holes beside each other.
  const anchors: bigint[] = [];
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) anchors.push(alignDown(rng.below(lowerTop), GB1));
  if (rng.chance(0.3)) anchors.push(upperBase + alignDown(rng.below(1n << BigInt(upperVaBits)), GB1));

  const mapped: { va: bigint; size: bigint; level: number }[] = [];
  const nMappings = 3 + rng.int(6);
  for (let i = 0; i < nMappings; i++) {
    const size = rng.chance(0.55) ? KB4 : rng.chance(0.6) ? MB2 : GB1;
    const level = 3 - LEAF_SIZES.indexOf(size);
    const anchor = rng.pick(anchors);
    const va = size === GB1 ? anchor : anchor + alignDown(rng.below(GB1), size);
    const pages = size === KB4 && rng.chance(0.3) ? BigInt(2 + rng.int(3)) : 1n;
    // Output addresses: mostly inside 40 bits; some beyond the 44-bit PA size or the IPS.
    const oaLimit = rng.chance(0.1) ? 1n << 48n : rng.chance(0.1) ? 1n << 44n : 1n << 40n;
    const oa = alignDown(rng.below(oaLimit - size * pages), size);
    const attrs = {
      level,
      ap: rng.int(4),
      af: !rng.chance(0.15),
      attrIndx: rng.int(8),
      sh: rng.pick([0b00, 0b10, 0b11]),
      pxn: rng.chance(0.5),
      uxn: rng.chance(0.5),
      nG: rng.chance(0.3),
    };
    if (tryIt(() => b.mapStage1(va, oa, size * pages, attrs))) mapped.push({ va, size: size * pages, level });
  }

  const probes: bigint[] = [];
  for (const m of mapped) probes.push(m.va + rng.below(m.size), m.va + rng.below(m.size));

  // Holes carved into existing walks, at every level, and raw reserved encodings.
  const holes: bigint[] = [];
  for (const m of mapped) {
    if (!rng.chance(0.25)) continue;
    const level = rng.int(4);
    if (tryIt(() => b.unmapStage1(m.va, level))) holes.push(m.va + rng.below(m.size));
  }
  if (mapped.length > 0 && rng.chance(0.15)) {
    const m = rng.pick(mapped);
    // bits[1:0] = 0b01 at level 3 is reserved (invalid): a Translation fault at level 3.
    if (m.level === 3) tryIt(() => b.writeStage1Entry(m.va, 3, (m.va & 0xf_ffff_f000n) | 0x401n));
  }
  // (A block descriptor at level 0, invalid with the 4K granule, is left out: QEMU 7.2 accepts it as
  // a 512G block, a departure from the Arm ARM test/oracle/at-departures.test.ts pins.)
  // APTable on a table descriptor: read-only or EL0-denied below it.
  for (const m of mapped) {
    if (!rng.chance(0.15)) continue;
    const level = rng.int(m.level);
    tryIt(() => b.setStage1TableAttributes(m.va, level, { apTable: 1 + rng.int(3), pxnTable: rng.chance(0.5), uxnTable: rng.chance(0.5) }));
  }

  // Stage 2 under the stage-1 tables: unmap or protect the pages the walks read.
  if (stage2) {
    for (const m of mapped) {
      if (!rng.chance(0.3)) continue;
      const level = rng.int(m.level + 1);
      let tableIpa: bigint;
      try {
        tableIpa = b.stage1TableIpa(m.va, level);
      } catch {
        continue;
      }
      const kind = rng.int(6);
      if (kind === 0) tryIt(() => b.unmapStage2(tableIpa, rng.pick([1, 2, 3])));
      else if (kind === 1) tryIt(() => b.unmapStage2(tableIpa, 3));
      else if (kind === 2) tryIt(() => b.updateStage2Leaf(tableIpa, { s2ap: S2AP.NONE }));
      else if (kind === 3) tryIt(() => b.updateStage2Leaf(tableIpa, { s2ap: S2AP.WRITE_ONLY }));
      else if (kind === 4) tryIt(() => b.updateStage2Leaf(tableIpa, { s2ap: S2AP.READ_ONLY }));
      else tryIt(() => b.updateStage2Leaf(tableIpa, { af: false }));
    }
    // Stage-1 tables in stage-2 Device memory, with and without HCR_EL2.PTW (a Permission fault on
    // the walk with it, none without); a stream of its own so the choices above stay as they were.
    const ptw = new Rng(seed, `at-ptw:${index}`);
    if (ptw.chance(0.3)) {
      b.setProtectedTableWalk(ptw.chance(0.7));
      for (const m of mapped) {
        if (!ptw.chance(0.3)) continue;
        tryIt(() => b.updateStage2Leaf(b.stage1TableIpa(m.va, ptw.int(m.level + 1)), { memAttr: S2_MEMATTR.DEVICE_nGnRE }));
      }
    }
  }

  // Addresses beyond the output sizes: the stage-2 pages of stage-1 tables and stage-2 table
  // descriptors beyond PS, stage-1 table descriptors and TTBRs beyond IPS (bits up to 47; PAMax 44).
  const beyond = (size: number) => Math.min(size, QEMU_A57_PA_BITS) + sizes.int(48 - Math.min(size, QEMU_A57_PA_BITS));
  for (const m of mapped) {
    if (stage2 && sizes.chance(0.06)) {
      const level = sizes.int(m.level + 1);
      if (sizes.chance(0.5)) tryIt(() => b.setStage1TablePageOutputBit(m.va, level, beyond(paBits)));
      else tryIt(() => b.setTableAddressBit(2, b.stage1TableIpa(m.va, level), 2 + sizes.int(2), beyond(paBits)));
    }
    if (sizes.chance(0.06)) tryIt(() => b.setTableAddressBit(1, m.va, sizes.int(m.level + 1), beyond(ipsBits)));
    // A stage-1 table at an IPA inside IPS but beyond the IPA size: stage 2's level-0 Translation fault.
    const ipaRoom = Math.min(ipsBits, QEMU_A57_PA_BITS) - ipaBits;
    if (stage2 && ipaRoom > 0 && sizes.chance(0.05)) tryIt(() => b.setTableAddressBit(1, m.va, sizes.int(m.level + 1), ipaBits + sizes.int(ipaRoom)));
  }
  if (stage2 && sizes.chance(0.03)) tryIt(() => b.setTableAddressBit(2, 0n, stage2Setup.startLevel ?? defaultStage2StartLevel(granuleGeometry("4K"), ipaBits), beyond(paBits)));

  probes.push(...holes);
  for (let i = 0, n = 2 + rng.int(3); i < n; i++) probes.push(rng.pick(anchors) + rng.below(GB1));
  probes.push(rng.below(lowerTop));
  // Outside both ranges, and in the TTBR1 range (often disabled by EPD1).
  if (rng.chance(0.3)) probes.push(lowerTop + rng.below(1n << 40n));
  if (rng.chance(0.3)) probes.push(upperBase + rng.below(1n << BigInt(upperVaBits)));

  let registers = b.registers();
  // Now and then a TTBR pointing past the output size (stage-1 Address size fault, level 0) or past
  // the IPA space (stage-2 level-0 Translation fault on the first fetch); never at a PA that exists
  // but is not RAM, which QEMU answers with an external abort on the walk and the model cannot.
  const bumps = [41, 45, 47].filter((bit) => bit >= Math.min(ipsBits, 44) || (stage2 && bit >= ipaBits));
  if (bumps.length > 0 && rng.chance(0.05)) registers = { ...registers, TTBR0_EL1: (1n << BigInt(rng.pick(bumps))) | registers.TTBR0_EL1 };

  const summary =
    `set-up ${index} (seed ${seed}): ${stage2 ? `stage 2 (${ipaBits}-bit IPA, PS ${paBits}${sl0 !== undefined ? `, SL0 ${sl0}${sl0Usable ? "" : " unusable"}` : ""}${tableIpaBase !== undefined ? `, tables at IPA 0x${tableIpaBase.toString(16)}` : ""})` : "stage 1 only"}, ` +
    `${vaBits}-bit VA, IPS ${ipsBits}, ${mapped.length} mappings`;
  return makeAtCase(index, summary, memory, registers, probes);
}

/** A set-up from tables built by hand (tests): its memory must lie in the oracle's area. */
export function makeAtCase(index: number, summary: string, memory: RecordingMemory, registers: TranslationRegisters, probes: readonly bigint[]): AtCase {
  return { index, summary, registers, memory, image: memory.image(ORACLE_AREA_BASE, ORACLE_AREA_END), probes };
}

export function generateAtCases(seed: number, count: number): AtCase[] {
  return Array.from({ length: count }, (_, i) => generateAtCase(seed, i));
}

/** The harness input for these set-ups (layout in qemu/harness.c). */
export function serialiseAtCases(cases: readonly AtCase[]): Uint8Array {
  const words: bigint[] = [AT_MAGIC, BigInt(cases.length)];
  for (const c of cases) {
    for (const name of REGISTER_NAMES) words.push(c.registers[name]);
    words.push(BigInt(c.probes.length));
    pushMemoryImage(words, c.image);
    words.push(...c.probes);
  }
  return wordsToBytes(words);
}
