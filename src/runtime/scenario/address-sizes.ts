// The address sizes of a guest-access set-up (TCR_EL1.T0SZ/T1SZ/IPS, VTCR_EL2.T0SZ/PS/SL0), where
// its stage-1 tables sit in the IPA space, and the table addresses it pushes beyond an output size
// on purpose: checked against what the architecture can express, then handed to the table builder.
//
// What is refused and what is not: a size no register field can hold, or a start level no table
// could be built at, is a mistake in the set-up (ScenarioError). An SL0 that names no usable start
// level for the IPA size is not: the Arm ARM defines it (AArch64.S2InconsistentSL / ARMv8.0's
// TranslationTableWalk: every stage-2 walk is a level-0 Translation fault), so VTCR_EL2 gets the
// value as given and the tables are built at the default start level. Likewise an output address
// beyond IPS or PS (a mapping's, or a table's through beyondOutputSize) is an Address size fault,
// the point of such a set-up.

import { TranslationTableBuilder, defaultStage2StartLevel, type TableBuilderOptions } from "../mmu/builder.ts";
import { granuleGeometry } from "../mmu/granule.ts";
import { DEFAULT_PA_MAX_BITS, MAX_INPUT_SIZE, MIN_INPUT_SIZE } from "../mmu/implementation.ts";
import { s2StartLevel, s2StartLevelIsConsistent } from "../mmu/start-level.ts";
import { SCENARIO_LAYOUT } from "./machine.ts";
import { hex, ScenarioError } from "./scenario.ts";

/** Address sizes in bits, as the register fields encode them (every field optional: today's defaults). */
export interface TranslationSizesSpec {
  /** TTBR0 VA size: TCR_EL1.T0SZ = 64 - vaBits, 25..48 (default 48). */
  vaBits?: number;
  /** TTBR1 VA size: TCR_EL1.T1SZ = 64 - upperVaBits, 25..48 (default 48). */
  upperVaBits?: number;
  /** TCR_EL1.IPS as a size: 32, 36, 40, 42, 44 or 48 (default 48). */
  ipsBits?: number;
  /** IPA size: VTCR_EL2.T0SZ = 64 - ipaBits, 25..48 (default 40). */
  ipaBits?: number;
  /** VTCR_EL2.PS as a size: 32, 36, 40, 42, 44 or 48 (default 48). */
  paBits?: number;
  /**
   * VTCR_EL2.SL0, 0..3 (4K granule: start level 2 - SL0). Default: the deepest start level whose
   * table needs at most 16 concatenated pages. A value with no usable start level for ipaBits is
   * written as given: every stage-2 walk is then a level-0 Translation fault.
   */
  sl0?: number;
}

/** Whose address `bit` is set in. */
export type BeyondOutputSizeAddress = "s1-table" | "s2-table" | "s1-table-page";
export const BEYOND_OUTPUT_SIZE_ADDRESSES: readonly BeyondOutputSizeAddress[] = ["s1-table", "s2-table", "s1-table-page"];

/**
 * An address made to lie beyond its stage's output size by setting one bit, so that the walk meets
 * an Address size fault there:
 *  - "s1-table": the table the stage-1 walk of VA `at` reads at `level` (TTBRn_EL1 at the start
 *    level: a level-0 fault; else the table descriptor at level - 1: a fault at level - 1); `bit`
 *    at or above TCR_EL1.IPS, or inside IPS but at or above the IPA size, where the fetch from
 *    that IPA is a stage-2 level-0 Translation fault instead (S1PTW);
 *  - "s2-table": the same for the stage-2 walk of IPA `at` (VTTBR_EL2, or a stage-2 table
 *    descriptor); `bit` at or above VTCR_EL2.PS;
 *  - "s1-table-page": the stage-2 leaf that maps the page of the stage-1 table the walk of VA `at`
 *    reads at `level` (a stage-2 fault on the walk, S1PTW); `bit` at or above VTCR_EL2.PS.
 */
export interface BeyondOutputSizeSpec {
  address: BeyondOutputSizeAddress;
  at: bigint;
  level: number;
  bit: number;
}

/** The part of a trap input this file reads. */
export interface AddressSizeInput {
  translation?: TranslationSizesSpec;
  stage1TableIpa?: bigint;
  beyondOutputSize?: readonly BeyondOutputSizeSpec[];
  stage2: readonly { ipa: bigint; size?: bigint }[];
}

/** The output sizes TCR_EL1.IPS and VTCR_EL2.PS encode, in bits. */
export const PA_SIZES: readonly number[] = [32, 36, 40, 42, 44, 48];
const PAGE = 0x1000n;

function fail(message: string): never {
  throw new ScenarioError(`trap: ${message}`);
}

function inputSize(value: number | undefined, name: string, register: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < MIN_INPUT_SIZE || value > MAX_INPUT_SIZE) {
    fail(`translation.${name} ${value} is not an input size this PE supports (${MIN_INPUT_SIZE}..${MAX_INPUT_SIZE} bits: ${register} ${64 - MAX_INPUT_SIZE}..${64 - MIN_INPUT_SIZE})`);
  }
  return value;
}

function outputSize(value: number | undefined, name: string, register: string): number | undefined {
  if (value === undefined) return undefined;
  if (!PA_SIZES.includes(value)) fail(`translation.${name} ${value} has no ${register} encoding (${PA_SIZES.join(", ")} bits)`);
  return value;
}

/** The sizes a set-up uses, defaults filled in (what the registers will say). */
export interface ResolvedSizes {
  readonly vaBits: number;
  readonly upperVaBits: number;
  readonly ipsBits: number;
  readonly ipaBits: number;
  readonly paBits: number;
}

export function resolvedSizes(t: TranslationSizesSpec | undefined): ResolvedSizes {
  return {
    vaBits: inputSize(t?.vaBits, "vaBits", "TCR_EL1.T0SZ") ?? 48,
    upperVaBits: inputSize(t?.upperVaBits, "upperVaBits", "TCR_EL1.T1SZ") ?? 48,
    ipsBits: outputSize(t?.ipsBits, "ipsBits", "TCR_EL1.IPS") ?? 48,
    ipaBits: inputSize(t?.ipaBits, "ipaBits", "VTCR_EL2.T0SZ") ?? SCENARIO_LAYOUT.stage2IpaBits,
    paBits: outputSize(t?.paBits, "paBits", "VTCR_EL2.PS") ?? 48,
  };
}

/** The sizes of an input that states none. */
const DEFAULT_SIZES = resolvedSizes(undefined);

/** The table builder's size, start-level and table-placement options for a trap input. */
export function addressSizeBuilderOptions(input: AddressSizeInput): Pick<TableBuilderOptions, "vaBits" | "upperVaBits" | "ipsBits" | "stage2" | "stage1TableIpaBase"> {
  const sizes = resolvedSizes(input.translation);
  const geometry = granuleGeometry("4K");
  const sl0 = input.translation?.sl0;
  let startLevel = defaultStage2StartLevel(geometry, sizes.ipaBits);
  if (sl0 !== undefined) {
    if (!Number.isInteger(sl0) || sl0 < 0 || sl0 > 3) fail(`translation.sl0 ${sl0} is not a VTCR_EL2.SL0 value (0..3)`);
    const level = s2StartLevel(geometry, sl0);
    // A usable SL0 builds the tables at its level; an unusable one is written as it is (see above).
    if (s2StartLevelIsConsistent(geometry, level, sizes.ipaBits, DEFAULT_PA_MAX_BITS)) startLevel = level;
  }
  const base = input.stage1TableIpa;
  const pool = SCENARIO_LAYOUT.tablePool;
  if (base === undefined && pool.base + pool.size > 1n << BigInt(sizes.ipaBits)) {
    fail(`a ${sizes.ipaBits}-bit IPA space cannot hold the stage-1 table pages at IPA = PA [${hex(pool.base)}, ${hex(pool.base + pool.size)}); place them inside it with stage1TableIpa`);
  }
  if (base !== undefined) {
    if (base < 0n || base % PAGE !== 0n) fail(`stage1TableIpa ${hex(base)} is not a 4K-aligned IPA`);
    if (base >= 1n << BigInt(sizes.ipaBits)) fail(`stage1TableIpa ${hex(base)} lies beyond the ${sizes.ipaBits}-bit IPA space, where stage 2 cannot map the table pages`);
  }
  return {
    vaBits: sizes.vaBits,
    upperVaBits: sizes.upperVaBits,
    ipsBits: sizes.ipsBits,
    stage2: { ipaBits: sizes.ipaBits, paBits: sizes.paBits, startLevel, ...(sl0 !== undefined ? { sl0 } : {}) },
    ...(base !== undefined ? { stage1TableIpaBase: base } : {}),
  };
}

/**
 * Stage-1 table pages placed in a window of IPAs are mapped at stage 2 there; a mapping of the
 * input's own over them would replace those mappings (or be refused deep in the builder).
 * Called once the stage-1 tables are built, before the input's stage-2 mappings.
 */
export function checkStage1TableWindow(b: TranslationTableBuilder, input: AddressSizeInput): void {
  const window = b.stage1TableIpaWindow();
  if (window === undefined) return;
  for (const m of input.stage2) {
    const end = m.ipa + (m.size ?? PAGE);
    if (m.ipa < window.end && end > window.base) {
      fail(`the stage-2 mapping at IPA ${hex(m.ipa)} overlaps the IPAs [${hex(window.base)}, ${hex(window.end)}) where the stage-1 table pages are placed (stage1TableIpa)`);
    }
  }
}

/** Applies each beyondOutputSize entry to the built tables. */
export function applyBeyondOutputSize(b: TranslationTableBuilder, input: AddressSizeInput): void {
  const sizes = input.translation === undefined ? DEFAULT_SIZES : resolvedSizes(input.translation);
  if (input.beyondOutputSize === undefined || input.beyondOutputSize.length === 0) return;
  for (const [i, spec] of (input.beyondOutputSize ?? []).entries()) {
    const what = `beyondOutputSize[${i}]`;
    const stage1 = spec.address === "s1-table";
    if (!stage1 && spec.address !== "s2-table" && spec.address !== "s1-table-page") {
      fail(`${what}.address ${JSON.stringify(spec.address)} is not "s1-table", "s2-table" or "s1-table-page"`);
    }
    if (!Number.isInteger(spec.bit) || spec.bit < 0 || spec.bit > 47) fail(`${what}.bit ${spec.bit} is not an address bit (0..47)`);
    // The output size the walk checks: IPS or PS, limited by PAMax.
    // A stage-1 table address inside IPS but beyond the IPA size meets stage 2's level-0
    // Translation fault instead (the trap builder's stage 2 is always on): also a defined outcome.
    const size = Math.min(stage1 ? sizes.ipsBits : sizes.paBits, DEFAULT_PA_MAX_BITS);
    if (spec.bit < size && !(stage1 && spec.bit >= sizes.ipaBits)) {
      const ipa = stage1 ? ` or the ${sizes.ipaBits}-bit IPA space` : "";
      fail(`${what}.bit ${spec.bit} lies inside the ${size}-bit ${stage1 ? "TCR_EL1.IPS" : "VTCR_EL2.PS"} output size${ipa}: the walk would read memory there that the set-up does not hold, not meet a fault`);
    }
    try {
      if (spec.address === "s1-table-page") b.setStage1TablePageOutputBit(spec.at, spec.level, spec.bit);
      else b.setTableAddressBit(stage1 ? 1 : 2, spec.at, spec.level, spec.bit);
    } catch (e) {
      fail(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Every field this file reads that shapes the built tables, for the trap builder's table cache key. */
export function addressSizeKey(input: AddressSizeInput): string {
  // The usual input states none of them (looked up for every trap): the key of all defaults, made once.
  if (input.translation === undefined && input.stage1TableIpa === undefined && (input.beyondOutputSize ?? []).length === 0) return DEFAULT_SIZES_KEY;
  return sizesKey(input);
}

function sizesKey(input: AddressSizeInput): string {
  const t = input.translation ?? {};
  const sizes = ["vaBits", "upperVaBits", "ipsBits", "ipaBits", "paBits", "sl0"].map((k) => String((t as Record<string, unknown>)[k]));
  const beyond = (input.beyondOutputSize ?? []).map((s) => `${s.address},${s.at},${s.level},${s.bit}`).join(";");
  return `${sizes.join(",")}|${String(input.stage1TableIpa)}|${beyond}`;
}

const DEFAULT_SIZES_KEY = sizesKey({ stage2: [] });

/**
 * Every field addressSizeBuilderOptions reads (the sizes, SL0, stage1TableIpa; not
 * beyondOutputSize, which is applied to built tables): equal keys give builders of equal options,
 * so the trap builder's builders of a first mapping are shared by set-ups that differ only there.
 */
export function builderOptionsKey(input: AddressSizeInput): string {
  if (input.translation === undefined && input.stage1TableIpa === undefined) return DEFAULT_SIZES_KEY;
  return sizesKey({ stage2: [], translation: input.translation, stage1TableIpa: input.stage1TableIpa });
}

