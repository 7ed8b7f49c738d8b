// The trap builder's set-ups of a walk that meets something other than a well-formed table:
// a stage-2 fault of some kind on a stage-1 table page (a hole at any stage-2 level, no access, no
// Access flag, Device memory under HCR_EL2.PTW), a table page that is only read-only (no fault:
// a walk only reads, and ARMv8.0 without FEAT_HAFDBS never writes a descriptor back), and
// descriptor fetches outside memory, at stage 1 (the table page's stage-2 output lies outside
// memory) or at stage 2 (the stage-2 walk of the table page, or of the access's IPA, reads a
// stage-2 table outside memory). "Outside memory" is the memory map's (memory-map.ts).
import type { PhysicalMemory } from "../memory.ts";
import type { TranslationTableBuilder } from "../mmu/builder.ts";
import { decodeDescriptorType } from "../mmu/descriptor.ts";
import { encodeTableDescriptor, S2_MEMATTR, S2AP } from "../mmu/descriptor-encoding.ts";
import { blockSize } from "../mmu/granule.ts";
import { ScenarioError, type TableFaultKind } from "./scenario.ts";

/**
 * What the stage-1 table page meets at stage 2:
 *  - "translation", "permission" (S2AP none), "access-flag": that stage-2 fault (S1PTW);
 *  - "device": the page is stage-2 Device-nGnRE memory: a Permission fault under HCR_EL2.PTW
 *    (input hcrPtw), else nothing;
 *  - "read-only": S2AP read-only: no fault, the walk only reads;
 *  - "external-abort": the page's stage-2 output is a PA outside memory: the descriptor fetch is
 *    a synchronous External abort on the stage-1 walk at the table's level (taken to EL1);
 *  - "walk-external-abort": the stage-2 walk of the page's IPA fetches its level-`s2Level`
 *    descriptor outside memory: a synchronous External abort on the stage-2 walk (S1PTW).
 */
export type WalkFaultKind = TableFaultKind | "device" | "read-only" | "external-abort" | "walk-external-abort";

export const WALK_FAULT_KINDS: readonly WalkFaultKind[] = ["translation", "permission", "access-flag", "device", "read-only", "external-abort", "walk-external-abort"];

export interface WalkFaultSpec {
  readonly va: bigint;
  readonly level: number;
  readonly fault: WalkFaultKind;
  readonly s2Level?: number;
}

/** The stage-2 walk of `ipa` fetches its level-`level` descriptor from a PA outside memory. */
export interface Stage2WalkAbortSpec {
  readonly ipa: bigint;
  /** Stage-2 lookup level of the failing fetch, below the start level. */
  readonly level: number;
}

const PAGE = 0x1000n;

function fail(message: string): never {
  throw new ScenarioError(`trap: ${message}`);
}

/** A PA where the machine has no memory (the first page above its RAM). */
export function outsideMemoryPage(memory: PhysicalMemory): bigint {
  const page = memory.map.pageAboveMemory();
  if (page === undefined) return fail("the machine's memory map backs every PA, so no fetch can be outside memory");
  return page;
}

/** The stage-2 start level and IPA size of the builder's VTCR_EL2 (SL0 for 4K, T0SZ). */
function stage2Shape(b: TranslationTableBuilder): { startLevel: number; ipaBits: number } {
  const vtcr = b.registers().VTCR_EL2;
  return { startLevel: 2 - Number((vtcr >> 6n) & 3n), ipaBits: 64 - Number(vtcr & 0x3fn) };
}

/** No stage-2 entry in the level-`level` region at `base` (nothing mapped, no table under it). */
function stage2RegionFree(b: TranslationTableBuilder, base: bigint, level: number, startLevel: number): boolean {
  for (let l = startLevel; l <= level; l++) {
    const type = decodeDescriptorType(b.readStage2Entry(base, l), l);
    if (type === "Invalid") return true;
    if (type !== "Table" || l === level) return false;
  }
  return false;
}

/**
 * Moves the stage-1 table of (va, level) into an IPA region of `regionLevel` that nothing else at
 * stage 2 uses (the highest free one), so that a hole or an abort made at that stage-2 level hits
 * this table alone. Returns its new IPA.
 */
function isolateStage1Table(b: TranslationTableBuilder, va: bigint, level: number, regionLevel: number): bigint {
  const { startLevel, ipaBits } = stage2Shape(b);
  if (regionLevel < startLevel) return fail(`stage 2 starts at level ${startLevel}; there is no level-${regionLevel} entry to change`);
  const region = blockSize(b.geometry, regionLevel);
  const top = 1n << BigInt(ipaBits);
  for (let base = top - region; base >= 0n && base >= top - 64n * region; base -= region) {
    if (!stage2RegionFree(b, base, regionLevel, startLevel)) continue;
    b.moveStage1Table(va, level, base);
    return base;
  }
  return fail(`no free level-${regionLevel} stage-2 region near the top of the ${ipaBits}-bit IPA space for the level-${level} table of ${hex(va)}`);
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

function checkS2Level(value: number | undefined, fault: WalkFaultKind, lowest: number): number {
  const level = value ?? 3;
  if (!Number.isInteger(level) || level < lowest || level > 3) fail(`"${fault}" at stage-2 level ${level}: levels ${lowest}..3 are possible here`);
  return level;
}

/** Makes the walk of t.va meet t.fault at its level-t.level stage-1 table. */
export function applyWalkFault(b: TranslationTableBuilder, memory: PhysicalMemory, t: WalkFaultSpec): void {
  if (t.s2Level !== undefined && t.fault !== "translation" && t.fault !== "walk-external-abort") {
    fail(`"s2Level" applies to "translation" and "walk-external-abort" table faults, not "${t.fault}"`);
  }
  const tableIpa = b.stage1TableIpa(t.va, t.level);
  const { startLevel } = stage2Shape(b);
  switch (t.fault) {
    case "translation": {
      const s2Level = checkS2Level(t.s2Level, t.fault, startLevel);
      // Level 3 unmaps the table's own page; above it the table first moves to a region of its own.
      const ipa = s2Level === 3 ? tableIpa : isolateStage1Table(b, t.va, t.level, s2Level);
      b.unmapStage2(ipa, s2Level);
      return;
    }
    case "permission":
      return b.updateStage2Leaf(tableIpa, { s2ap: S2AP.NONE });
    case "access-flag":
      return b.updateStage2Leaf(tableIpa, { af: false });
    case "device":
      return b.updateStage2Leaf(tableIpa, { memAttr: S2_MEMATTR.DEVICE_nGnRE });
    case "read-only":
      return b.updateStage2Leaf(tableIpa, { s2ap: S2AP.READ_ONLY });
    case "external-abort":
      b.mapStage2(tableIpa & ~(PAGE - 1n), outsideMemoryPage(memory), PAGE);
      return;
    case "walk-external-abort": {
      // The fetch at s2Level fails when the table descriptor one level up names a table outside
      // memory; that entry must cover this table page alone.
      const s2Level = checkS2Level(t.s2Level, t.fault, startLevel + 1);
      const ipa = isolateStage1Table(b, t.va, t.level, s2Level - 1);
      b.writeStage2Entry(ipa, s2Level - 1, encodeTableDescriptor(outsideMemoryPage(memory)));
      return;
    }
  }
}

/**
 * The stage-2 walk of w.ipa fetches its level-w.level descriptor outside memory: the entry one
 * level up becomes a table descriptor naming a PA above RAM (whatever else it mapped is cut off).
 */
export function applyStage2WalkAbort(b: TranslationTableBuilder, memory: PhysicalMemory, w: Stage2WalkAbortSpec): void {
  const { startLevel } = stage2Shape(b);
  if (!Number.isInteger(w.level) || w.level <= startLevel || w.level > 3) {
    fail(`stage-2 walk abort of ${hex(w.ipa)} at level ${w.level}: stage 2 starts at level ${startLevel}, so levels ${startLevel + 1}..3 are possible`);
  }
  b.writeStage2Entry(w.ipa, w.level - 1, encodeTableDescriptor(outsideMemoryPage(memory)));
}
