// Builds stage-1 and stage-2 translation tables in a PhysicalMemory from mapping descriptions, and
// hands back the register values that make the PE use them. Tests and scenarios say "map this VA
// range to that IPA as a 2M read-only block" and "take the AF away from this page", not raw bits.
//
// Stage-1 tables live at IPAs. Without stage 2 an IPA is a PA and tables come straight from the
// pool; with stage 2 each stage-1 table page gets a PA page from the pool and, unless told not to,
// a stage-2 page mapping (read/write, Normal WB) so that the walk can fetch it.

import type { PhysicalMemory } from "../memory.ts";
import { decodeDescriptorType } from "./descriptor.ts";
import {
  decodeStage1LeafAttributes,
  decodeStage2LeafAttributes,
  DEFAULT_STAGE1_LEAF,
  DEFAULT_STAGE2_LEAF,
  encodeStage1Leaf,
  encodeStage2Leaf,
  encodeTableDescriptor,
  leafAddress,
  type Stage1LeafAttributes,
  type Stage2LeafAttributes,
  type TableDescriptorAttributes,
} from "./descriptor-encoding.ts";
import { nextTableAddress } from "./descriptor.ts";
import { blockSize, encodeTG0, encodeTG1, granuleGeometry, levelShift, type Granule, type GranuleGeometry } from "./granule.ts";
import { PagePool } from "./page-pool.ts";
import { HCR, REGISTER_NAMES, SCTLR, type TranslationRegisters } from "./registers.ts";
import { s1StartLevel } from "./start-level.ts";
import { TableTree, type TableAllocator } from "./table-tree.ts";
import { getVARange } from "./va-range.ts";
import { encodePhysicalAddressSize } from "./walk-params.ts";

/** MAIR_EL1 the builder programs: index -> attribute. */
export const MAIR_INDEX = { NORMAL_WB: 0, DEVICE_nGnRnE: 1, NORMAL_NC: 2, DEVICE_nGnRE: 3, NORMAL_WT: 4 } as const;
export const DEFAULT_MAIR = 0xbb_04_44_00_ffn; // Attr4=0xbb, Attr3=0x04, Attr2=0x44, Attr1=0x00, Attr0=0xff

/** SCTLR_EL1 RES1 bits of ARMv8.0 (29, 28, 23, 22, 20, 11). */
const SCTLR_EL1_RES1 = 0x30d0_0800n;
const VTCR_EL2_RES1 = 1n << 31n;
/** TCR walk attributes: Inner Shareable, Write-Back Write-Allocate inner and outer. */
const TCR_WALK_ATTRS_0 = (0b11n << 12n) | (0b01n << 10n) | (0b01n << 8n);
const TCR_WALK_ATTRS_1 = (0b11n << 28n) | (0b01n << 26n) | (0b01n << 24n);

export interface Stage2Setup {
  /** IPA size, VTCR_EL2.T0SZ = 64 - ipaBits (default 40). */
  readonly ipaBits?: number;
  /** Start level; default the deepest level that needs at most 16 concatenated tables. */
  readonly startLevel?: number;
  /** VTCR_EL2.PS as a size in bits (default 48). */
  readonly paBits?: number;
  readonly vmid?: number;
  /**
   * VTCR_EL2.SL0 as written, whatever start level the tables are built at (default: the SL0 of
   * startLevel). A value that names no usable start level for ipaBits is the point of a set-up
   * (every stage-2 walk is then a level-0 Translation fault), so it is written, not refused.
   */
  readonly sl0?: number;
}

export interface TableBuilderOptions {
  readonly memory: PhysicalMemory;
  /** Physical window the builder allocates all table memory from. */
  readonly tablePool: { readonly base: bigint; readonly size: bigint };
  /** Granule of both stages (default 4K). */
  readonly granule?: Granule;
  /** VA size of the TTBR0 range, T0SZ = 64 - vaBits (default 48). */
  readonly vaBits?: number;
  /** VA size of the TTBR1 range (default 48). */
  readonly upperVaBits?: number;
  /** TCR_EL1.IPS as a size in bits (default 48). */
  readonly ipsBits?: number;
  readonly mair?: bigint;
  /** Enables stage 2 (HCR_EL2.VM) with this configuration. */
  readonly stage2?: Stage2Setup;
  /** IPA at which stage-1 table pages are placed when stage 2 is on (default: IPA = PA). */
  readonly stage1TableIpaBase?: bigint;
  /** Map each stage-1 table page at stage 2 (default true). */
  readonly mapStage1TablesAtStage2?: boolean;
}

export interface LeafPlacement {
  /** Leaf level (3 = pages); or give leafSize. Default: pages. */
  readonly level?: number;
  /** Leaf size in bytes, e.g. 0x1000n, 0x200000n, 0x40000000n. */
  readonly leafSize?: bigint;
}

export type Stage1MapAttributes = LeafPlacement & Partial<Stage1LeafAttributes>;
export type Stage2MapAttributes = LeafPlacement & Partial<Stage2LeafAttributes>;

export class TranslationTableBuilder {
  readonly geometry: GranuleGeometry;
  /** What this builder was made with: a fork is made with the same, in a copy of its memory. */
  private readonly options: TableBuilderOptions;
  private readonly memory: PhysicalMemory;
  private readonly pool: PagePool;
  private readonly vaBits: number;
  private readonly upperVaBits: number;
  private readonly ipsBits: number;
  private readonly mair: bigint;
  private readonly stage2Setup: Required<Omit<Stage2Setup, "sl0">> & Pick<Stage2Setup, "sl0"> | undefined;
  /** Address bits ORed into TTBR0_EL1, TTBR1_EL1 and VTTBR_EL2 (setTableAddressBit at a start level). */
  private readonly baseRegisterBits = { LOWER: 0n, UPPER: 0n, STAGE2: 0n };
  private readonly stage1TableIpaBase: bigint | undefined;
  private protectedTableWalk = false;
  /** Where both stage-1 trees take their tables from. */
  private readonly stage1Tables: Stage1Tables;
  private readonly s2Tree: TableTree | undefined;
  private readonly s1Trees: { LOWER: TableTree | undefined; UPPER: TableTree | undefined } = {
    LOWER: undefined,
    UPPER: undefined,
  };

  /**
   * @param forkOf fork()'s: the builder whose tables, pool position and register bits this one
   *   takes, `options.memory` being a copy of its memory (nothing is allocated or written afresh).
   */
  constructor(options: TableBuilderOptions, forkOf?: TranslationTableBuilder) {
    this.options = options;
    this.memory = options.memory;
    this.geometry = granuleGeometry(options.granule ?? "4K");
    this.pool =
      forkOf === undefined
        ? new PagePool(options.memory, options.tablePool.base, options.tablePool.base + options.tablePool.size)
        : forkOf.pool.copyFor(options.memory);
    this.vaBits = options.vaBits ?? 48;
    this.upperVaBits = options.upperVaBits ?? 48;
    this.ipsBits = options.ipsBits ?? 48;
    this.mair = options.mair ?? DEFAULT_MAIR;
    this.stage1TableIpaBase = options.stage1TableIpaBase;
    if (options.stage2 !== undefined) {
      const ipaBits = options.stage2.ipaBits ?? 40;
      const startLevel = options.stage2.startLevel ?? defaultStage2StartLevel(this.geometry, ipaBits);
      checkStage2StartLevel(this.geometry, ipaBits, startLevel);
      const sl0 = options.stage2.sl0;
      if (sl0 !== undefined && (!Number.isInteger(sl0) || sl0 < 0 || sl0 > 3)) throw new RangeError(`VTCR_EL2.SL0 ${sl0} is not a 2-bit value`);
      this.stage2Setup = {
        ipaBits,
        startLevel,
        paBits: options.stage2.paBits ?? 48,
        vmid: options.stage2.vmid ?? 1,
        sl0,
      };
      this.s2Tree = new TableTree(
        { geometry: this.geometry, inputsize: ipaBits, startlevel: this.stage2Setup.startLevel },
        this.memory,
        new Stage2Tables(this.pool),
        forkOf?.s2Tree?.root,
      );
    }
    // Without stage 2 an IPA is a PA: the tables come straight from the pool.
    const mapsTables = this.s2Tree !== undefined && (options.mapStage1TablesAtStage2 ?? true) ? this : undefined;
    this.stage1Tables = new Stage1Tables(this.pool, this.geometry, this.s2Tree !== undefined, options.stage1TableIpaBase, mapsTables);
    if (forkOf === undefined) {
      this.stage1Tree("LOWER");
      return;
    }
    this.stage1Tables.takePlacementsOf(forkOf.stage1Tables);
    for (const range of ["LOWER", "UPPER"] as const) {
      const tree = forkOf.s1Trees[range];
      if (tree !== undefined) this.s1Trees[range] = new TableTree(tree.shape, this.memory, this.stage1Tables, tree.root);
    }
    Object.assign(this.baseRegisterBits, forkOf.baseRegisterBits);
    this.protectedTableWalk = forkOf.protectedTableWalk;
  }

  /**
   * A builder that goes on from where this one is, in a copy of its memory (PhysicalMemory.clone,
   * copy on write): the same tables at the same addresses, the same pool position and register
   * bits, as though its constructor and every call so far had been made again in that copy. For
   * set-ups that begin alike (each trap of the QEMU oracle maps the harness image first).
   */
  fork(): TranslationTableBuilder {
    return new TranslationTableBuilder({ ...this.options, memory: this.memory.clone() }, this);
  }

  /** The memory the tables are built in. */
  get tableMemory(): PhysicalMemory {
    return this.memory;
  }

  get stage2Enabled(): boolean {
    return this.s2Tree !== undefined;
  }

  /** Maps [va, va+size) to [ipa, ipa+size) with leaves of one size; VA bit 55 picks TTBR0/TTBR1. */
  mapStage1(va: bigint, ipa: bigint, size: bigint, attrs: Stage1MapAttributes = {}): void {
    const level = this.leafLevel(attrs);
    const step = blockSize(this.geometry, level);
    checkAligned(va, step, "stage-1 mapping");
    checkAligned(ipa, step, "stage-1 mapping");
    checkAligned(size, step, "stage-1 mapping");
    const leaf = withDefaults(DEFAULT_STAGE1_LEAF, attrs);
    const range = getVARange(va);
    this.checkVaRange(va, size, range);
    const tree = this.stage1Tree(range);
    for (let offset = 0n; offset < size; offset += step) {
      tree.writeLeaf(va + offset, level, encodeStage1Leaf(ipa + offset, level, leaf));
    }
  }

  /** Maps [ipa, ipa+size) to [pa, pa+size) at stage 2. */
  mapStage2(ipa: bigint, pa: bigint, size: bigint, attrs: Stage2MapAttributes = {}): void {
    const tree = this.requireStage2();
    const level = this.leafLevel(attrs);
    const step = blockSize(this.geometry, level);
    checkAligned(ipa, step, "stage-2 mapping");
    checkAligned(pa, step, "stage-2 mapping");
    checkAligned(size, step, "stage-2 mapping");
    const leaf = withDefaults(DEFAULT_STAGE2_LEAF, attrs);
    const ipaLimit = 1n << BigInt(tree.shape.inputsize);
    if (ipa + size > ipaLimit) {
      throw new RangeError(`stage-2 mapping 0x${ipa.toString(16)}+0x${size.toString(16)} exceeds the ${tree.shape.inputsize}-bit IPA space`);
    }
    for (let offset = 0n; offset < size; offset += step) {
      tree.writeLeaf(ipa + offset, level, encodeStage2Leaf(pa + offset, level, leaf));
    }
  }

  /** Makes the entry `va` uses at `level` invalid: a hole, reported as a Translation fault there. */
  unmapStage1(va: bigint, level: number): void {
    this.stage1Tree(getVARange(va)).write(va, level, 0n);
  }

  unmapStage2(ipa: bigint, level: number): void {
    this.requireStage2().write(ipa, level, 0n);
  }

  readStage1Entry(va: bigint, level: number): bigint {
    return this.stage1Tree(getVARange(va)).read(va, level);
  }

  /** Stores a raw descriptor, e.g. a reserved encoding; creates the tables above it if needed. */
  writeStage1Entry(va: bigint, level: number, descriptor: bigint): void {
    this.stage1Tree(getVARange(va)).write(va, level, descriptor);
  }

  readStage2Entry(ipa: bigint, level: number): bigint {
    return this.requireStage2().read(ipa, level);
  }

  writeStage2Entry(ipa: bigint, level: number, descriptor: bigint): void {
    this.requireStage2().write(ipa, level, descriptor);
  }

  /** Changes attributes of the leaf mapping `va` (AF, AP, AttrIndx, SH, PXN, UXN, nG). */
  updateStage1Leaf(va: bigint, patch: Partial<Stage1LeafAttributes>): void {
    const tree = this.stage1Tree(getVARange(va));
    const level = requireLeaf(tree.leafLevel(va), va);
    const old = tree.read(va, level);
    const shift = levelShift(this.geometry, level);
    const attrs = { ...decodeStage1LeafAttributes(old), ...definedOnly(patch) };
    tree.write(va, level, encodeStage1Leaf(leafAddress(old, shift), level, attrs));
  }

  updateStage2Leaf(ipa: bigint, patch: Partial<Stage2LeafAttributes>): void {
    const tree = this.requireStage2();
    const level = requireLeaf(tree.leafLevel(ipa), ipa);
    const old = tree.read(ipa, level);
    const shift = levelShift(this.geometry, level);
    const attrs = { ...decodeStage2LeafAttributes(old), ...definedOnly(patch) };
    tree.write(ipa, level, encodeStage2Leaf(leafAddress(old, shift), level, attrs));
  }

  /** Sets APTable/PXNTable/UXNTable on the table descriptor `va` uses at `level`. */
  setStage1TableAttributes(va: bigint, level: number, attrs: TableDescriptorAttributes): void {
    const tree = this.stage1Tree(getVARange(va));
    const old = tree.read(va, level);
    if (decodeDescriptorType(old, level) !== "Table") throw new Error(`level-${level} entry is not a table`);
    tree.write(va, level, encodeTableDescriptor(nextTableAddress(old, this.geometry), attrs));
  }

  /**
   * Names the table the walk of `input` reads at `level` with address bit `bit` set, so that the
   * walk meets an address beyond its stage's output size there: at the start level the bit goes
   * into TTBRn_EL1 (stage 1, by `input`'s VA range) or VTTBR_EL2 (stage 2), an Address size fault at
   * level 0; below it into the table descriptor one level up, a fault at that level. The tables
   * stay where they are; only the address the walk reads changes.
   */
  setTableAddressBit(stage: 1 | 2, input: bigint, level: number, bit: number): void {
    if (!Number.isInteger(bit) || bit < 0 || bit > 47) throw new RangeError(`address bit ${bit} is not 0..47`);
    const tree = stage === 1 ? this.stage1Tree(getVARange(input)) : this.requireStage2();
    const { startlevel } = tree.shape;
    if (!Number.isInteger(level) || level < startlevel || level > 3) {
      throw new RangeError(`stage-${stage} tables of 0x${input.toString(16)} are read at levels ${startlevel}..3, not ${level}`);
    }
    const mask = 1n << BigInt(bit);
    if (level === startlevel) {
      const key = stage === 2 ? "STAGE2" : getVARange(input);
      this.baseRegisterBits[key] |= mask;
      return;
    }
    const above = tree.read(input, level - 1);
    if (decodeDescriptorType(above, level - 1) !== "Table") {
      throw new Error(`the stage-${stage} walk of 0x${input.toString(16)} reads no level-${level} table: its level-${level - 1} entry is not a table`);
    }
    tree.write(input, level - 1, above | mask);
  }

  /**
   * Sets address bit `bit` in the output of the stage-2 leaf that maps the page of the stage-1
   * table the walk of `va` reads at `level`: that descriptor fetch meets a PA beyond VTCR_EL2.PS.
   */
  setStage1TablePageOutputBit(va: bigint, level: number, bit: number): void {
    if (!Number.isInteger(bit) || bit < 0 || bit > 47) throw new RangeError(`address bit ${bit} is not 0..47`);
    const tree = this.requireStage2();
    const ipa = this.stage1TableIpa(va, level);
    const leaf = requireLeaf(tree.leafLevel(ipa), ipa);
    tree.write(ipa, leaf, tree.read(ipa, leaf) | (1n << BigInt(bit)));
  }

  /** The IPAs [base, end) stage-1 table pages were placed at (stage1TableIpaBase), or undefined when IPA = PA. */
  stage1TableIpaWindow(): { readonly base: bigint; readonly end: bigint } | undefined {
    const end = this.stage1Tables.nextIpa;
    if (this.stage1TableIpaBase === undefined || end === undefined || this.s2Tree === undefined) return undefined;
    return { base: this.stage1TableIpaBase, end };
  }

  /** IPA of the stage-1 table the walk of `va` reads at `level` (to unmap or protect it at stage 2). */
  stage1TableIpa(va: bigint, level: number): bigint {
    return this.stage1Tree(getVARange(va)).tableAt(va, level, false);
  }

  /**
   * Moves the stage-1 table the walk of `va` reads at `level` to IPA page `ipa` (mapped at stage 2
   * to the same PA page; the old IPA stays mapped but nothing points at it), rewriting the table
   * descriptor one level up, or the TTBR for a start-level table. A stage-2 hole or abort above
   * level 3 under a table then touches that table alone, not its neighbours in the pool.
   */
  moveStage1Table(va: bigint, level: number, ipa: bigint): void {
    const pageBytes = 1n << BigInt(this.geometry.grainsize);
    const pageShift = BigInt(this.geometry.grainsize);
    this.requireStage2();
    checkAligned(ipa, pageBytes, "stage-1 table IPA");
    const tree = this.stage1Tree(getVARange(va));
    const old = tree.tableAt(va, level, false);
    if ((old & (pageBytes - 1n)) !== 0n) throw new Error(`the level-${level} table of 0x${va.toString(16)} shares its page; it cannot move alone`);
    const pages = this.stage1Tables.pages;
    const pa = pages.get(Number(old >> pageShift));
    if (pa === undefined) throw new Error(`0x${old.toString(16)} is not a stage-1 table page`);
    if (pages.has(Number(ipa >> pageShift))) throw new Error(`IPA 0x${ipa.toString(16)} already holds a stage-1 table`);
    pages.set(Number(ipa >> pageShift), pa);
    this.mapStage2(ipa, BigInt(pa), pageBytes);
    if (level === tree.shape.startlevel) {
      tree.moveRoot(ipa);
      return;
    }
    const above = tree.read(va, level - 1);
    const addressMask = ((1n << 48n) - 1n) & ~(pageBytes - 1n);
    tree.write(va, level - 1, (above & ~addressMask) | ipa);
  }

  /** HCR_EL2.PTW in registers(): a stage-1 walk that reads stage-2 Device memory is a Permission fault. */
  setProtectedTableWalk(on: boolean): void {
    this.protectedTableWalk = on;
  }

  /** Register values for the set-up built so far. */
  registers(): TranslationRegisters {
    const lower = this.stage1Tree("LOWER");
    const upper = this.s1Trees.UPPER;
    const tcr =
      BigInt(64 - this.vaBits) |
      TCR_WALK_ATTRS_0 |
      (BigInt(encodeTG0(this.geometry.granule)) << 14n) |
      (BigInt(64 - this.upperVaBits) << 16n) |
      (upper === undefined ? 1n << 23n : 0n) | // EPD1 when nothing lives in the TTBR1 range
      TCR_WALK_ATTRS_1 |
      (BigInt(encodeTG1(this.geometry.granule)) << 30n) |
      (BigInt(encodePhysicalAddressSize(this.ipsBits)) << 32n);
    const sctlr = SCTLR_EL1_RES1 | (1n << BigInt(SCTLR.M)) | (1n << BigInt(SCTLR.C)) | (1n << BigInt(SCTLR.I));
    let hcr = (1n << BigInt(HCR.RW)) | (this.protectedTableWalk ? 1n << BigInt(HCR.PTW) : 0n);
    let vttbr = 0n;
    let vtcr = 0n;
    if (this.s2Tree !== undefined && this.stage2Setup !== undefined) {
      const s2 = this.stage2Setup;
      hcr |= 1n << BigInt(HCR.VM);
      vttbr = this.s2Tree.root | this.baseRegisterBits.STAGE2 | (BigInt(s2.vmid) << 48n);
      const sl0 = s2.sl0 ?? (this.geometry.granule === "4K" ? 2 : 3) - s2.startLevel;
      vtcr =
        VTCR_EL2_RES1 |
        BigInt(64 - s2.ipaBits) |
        (BigInt(sl0) << 6n) |
        (0b01n << 8n) |
        (0b01n << 10n) |
        (0b11n << 12n) |
        (BigInt(encodeTG0(this.geometry.granule)) << 14n) |
        (BigInt(encodePhysicalAddressSize(s2.paBits)) << 16n);
    }
    return {
      TCR_EL1: tcr,
      TTBR0_EL1: lower.root | this.baseRegisterBits.LOWER,
      TTBR1_EL1: upper === undefined ? 0n : upper.root | this.baseRegisterBits.UPPER,
      MAIR_EL1: this.mair,
      SCTLR_EL1: sctlr,
      HCR_EL2: hcr,
      VTTBR_EL2: vttbr,
      VTCR_EL2: vtcr,
    };
  }

  /** A sysreg reader over registers(), optionally with some values replaced. */
  sysreg(overrides: Partial<TranslationRegisters> = {}): (name: string) => bigint {
    const regs: TranslationRegisters = { ...this.registers(), ...overrides };
    return (name) => {
      if (!(REGISTER_NAMES as readonly string[]).includes(name)) throw new Error(`no register ${name} in the MMU set-up`);
      return regs[name as keyof TranslationRegisters];
    };
  }

  private stage1Tree(range: "LOWER" | "UPPER"): TableTree {
    const existing = this.s1Trees[range];
    if (existing !== undefined) return existing;
    const inputsize = range === "LOWER" ? this.vaBits : this.upperVaBits;
    const tree = new TableTree(
      { geometry: this.geometry, inputsize, startlevel: s1StartLevel(this.geometry, inputsize) },
      this.memory,
      this.stage1Tables,
    );
    this.s1Trees[range] = tree;
    return tree;
  }

  /** The mapping must lie inside its TTBR's range, or its index bits would wrap silently. */
  private checkVaRange(va: bigint, size: bigint, range: "LOWER" | "UPPER"): void {
    const end = va + size;
    const ok =
      range === "LOWER"
        ? end <= 1n << BigInt(this.vaBits)
        : va >= (1n << 64n) - (1n << BigInt(this.upperVaBits)) && end <= 1n << 64n;
    if (!ok) throw new RangeError(`stage-1 mapping at 0x${va.toString(16)} lies outside the ${range} VA range`);
  }

  private requireStage2(): TableTree {
    if (this.s2Tree === undefined) throw new Error("stage 2 is not enabled in this builder");
    return this.s2Tree;
  }

  private leafLevel(placement: LeafPlacement): number {
    let level = placement.level;
    if (level === undefined && placement.leafSize !== undefined) {
      for (let l = 1; l <= 3; l++) if (blockSize(this.geometry, l) === placement.leafSize) level = l;
      if (level === undefined) throw new RangeError(`no ${this.geometry.granule} leaf of 0x${placement.leafSize.toString(16)} bytes`);
    }
    level ??= 3;
    if (level < this.geometry.firstblocklevel || level > 3) {
      throw new RangeError(`a ${this.geometry.granule} leaf cannot sit at level ${level}; use writeStage1Entry for that`);
    }
    return level;
  }
}

/**
 * Stage-1 tables: PA pages from the pool, each placed at an IPA when stage 2 is on (the same as
 * its PA, or the next page above stage1TableIpaBase) and mapped there at stage 2 by `mapsTables`
 * (undefined: left unmapped, or stage 2 is off and an IPA is a PA).
 */
class Stage1Tables implements TableAllocator {
  /** Stage-1 table granule pages: IPA page number -> PA of the page (stage 2 on). */
  readonly pages = new Map<number, number>();
  /** The next IPA above stage1TableIpaBase (undefined: each table at IPA = its PA). */
  nextIpa: bigint | undefined;

  /** Where `other` (a builder's this one's is a fork of) has placed its tables, and where it places the next. */
  takePlacementsOf(other: Stage1Tables): void {
    for (const [page, pa] of other.pages) this.pages.set(page, pa);
    this.nextIpa = other.nextIpa;
  }
  private readonly pageBytes: number;

  constructor(
    private readonly pool: PagePool,
    geometry: GranuleGeometry,
    private readonly stage2: boolean,
    ipaBase: bigint | undefined,
    private readonly mapsTables: TranslationTableBuilder | undefined,
  ) {
    this.pageBytes = 2 ** geometry.grainsize;
    this.nextIpa = ipaBase;
  }

  allocateTable(bytes: number): number {
    const pa = this.pool.allocate(bytes, Math.max(bytes, 8));
    if (!this.stage2) return pa;
    const ipa = this.place(pa, bytes);
    const pageBytes = this.pageBytes;
    const ipaPage = Math.floor(ipa / pageBytes);
    const pagePa = Math.floor(pa / pageBytes) * pageBytes;
    if (!this.pages.has(ipaPage)) {
      this.pages.set(ipaPage, pagePa);
      this.mapsTables?.mapStage2(BigInt(ipaPage * pageBytes), BigInt(pagePa), BigInt(pageBytes));
    }
    return ipa;
  }

  toPa(address: number): number {
    if (!this.stage2) return address;
    const page = Math.floor(address / this.pageBytes);
    const pagePa = this.pages.get(page);
    if (pagePa === undefined) throw new Error(`0x${address.toString(16)} is not a stage-1 table page`);
    return pagePa + (address - page * this.pageBytes);
  }

  /** IPA for a stage-1 table: the same as its PA, or the next slot above stage1TableIpaBase. */
  private place(pa: number, bytes: number): number {
    if (this.nextIpa === undefined) return pa;
    const pageBytes = BigInt(this.pageBytes);
    const offsetInPage = BigInt(pa) & (pageBytes - 1n);
    // Sub-page tables share their page with nothing else, so give each its own IPA page.
    const ipa = this.nextIpa + offsetInPage;
    this.nextIpa += maxBigint(pageBytes, BigInt(bytes));
    return Number(ipa);
  }
}

/** Stage-2 tables: straight from the pool, at PA = their address. */
class Stage2Tables implements TableAllocator {
  constructor(private readonly pool: PagePool) {}
  allocateTable(bytes: number): number {
    return this.pool.allocate(bytes, Math.max(bytes, 8));
  }
  toPa(address: number): number {
    return address;
  }
}

/** The deepest stage-2 start level whose start table needs at most 16 concatenated tables. */
export function defaultStage2StartLevel(geometry: GranuleGeometry, ipaBits: number): number {
  for (let level = 3; level >= 0; level--) {
    const entriesLog2 = ipaBits - levelShift(geometry, level);
    if (entriesLog2 >= 1 && entriesLog2 <= geometry.stride + 4) return level;
  }
  throw new RangeError(`no stage-2 start level for a ${ipaBits}-bit IPA space`);
}

/**
 * The start level must hold the whole IPA space in one start table of 2 to 16 concatenated pages
 * (AArch64.S2InconsistentSL's bounds), or the tables could not be built at all.
 */
function checkStage2StartLevel(geometry: GranuleGeometry, ipaBits: number, level: number): void {
  const entriesLog2 = ipaBits - levelShift(geometry, level);
  if (!Number.isInteger(level) || level < 0 || level > 3 || entriesLog2 < 1 || entriesLog2 > geometry.stride + 4) {
    throw new RangeError(`a ${ipaBits}-bit IPA space cannot start its ${geometry.granule} stage-2 walk at level ${level} (its start table would have 2^${entriesLog2} entries; 2^1 to 2^${geometry.stride + 4} can be walked)`);
  }
}

function checkAligned(v: bigint, alignment: bigint, what: string): void {
  if ((v & (alignment - 1n)) !== 0n) throw new RangeError(`${what}: 0x${v.toString(16)} is not 0x${alignment.toString(16)}-aligned`);
}

function requireLeaf(level: number | undefined, input: bigint): number {
  if (level === undefined) throw new Error(`0x${input.toString(16)} is not mapped`);
  return level;
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * `defaults` with each attribute `given` defines (an undefined one keeps its default); `defaults`
 * itself when none differs: every stage-1 table page is mapped at stage 2 with the defaults.
 */
function withDefaults<T extends object>(defaults: T, given: Partial<T>): T {
  let out: T | undefined;
  for (const key in defaults) {
    const value = given[key];
    if (value !== undefined && value !== defaults[key]) (out ??= { ...defaults })[key] = value;
  }
  return out ?? defaults;
}

/** Drops keys whose value is undefined, so spreading a patch does not erase defaults. */
function definedOnly<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}
