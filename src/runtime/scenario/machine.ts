// machineForScenario: a Machine at EL2 as the PE stands when a guest trap enters the EL2
// synchronous vector, built from a Scenario.
//
//  - ESR_EL2, FAR_EL2, HPFAR_EL2, PAR_EL1 and MIDR_EL1 from the scenario;
//  - real guest stage-1 tables (TranslationTableBuilder, 4K granule, 48-bit VA and IPA) in model
//    memory, behind TTBR0_EL1/TTBR1_EL1/TCR_EL1/MAIR_EL1/SCTLR_EL1, so that AT S1E1R on FAR walks
//    them and the walk decides what the handler sees; stage 2 (HCR_EL2.VM=1, VTTBR_EL2, VTCR_EL2,
//    40-bit IPA) maps the stage-1 table pages, so that every descriptor fetch goes through it;
//  - HCR_EL2.RW|VM, and E2H with ARM64_HAS_VIRT_HOST_EXTN (the Machine sets E2H itself);
//  - TPIDR_EL2 = the vcpu structure (zeroed, like Linux's kzalloc'd vcpu; faultc's layout in
//    vcpu-layout.ts), SP_EL2 = the top of a hyp stack whose contents are arbitrary;
//  - every register the architecture leaves arbitrary at this point (the guest's X0-X30, the
//    guest's real ESR_EL1/FAR_EL1 and the other EL1 and EL2 registers nothing here defines,
//    HPFAR_EL2 when the scenario says "unknown") drawn from the scenario's seed and recorded in
//    the metadata; none is silently zero. Each is drawn when first read (the machine's `unknown`
//    source, the stack a lazy page, the metadata's map when asked for): the values are a function
//    of (seed, name) alone, so when they are drawn changes nothing but what a scenario costs.
import type { AddressTranslator } from "../machine/address-translator.ts";
import { DEFAULT_MIDR, Machine, sysregSlotOf, type MachineConfig, type UnknownValues } from "../machine/machine.ts";
import { translateAtOperation } from "../mmu/at-operation.ts";
import { atKindOfTraits } from "../semantics/at-operations.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, capabilitiesFromMidr, hypRunsWithE2H } from "../machine/cpu-features.ts";
import { HCR_EL2_E2H } from "../machine/sysreg-access.ts";
import { translationContextOf, type TranslationContext, type TranslationRegisters } from "../mmu/registers.ts";
import { storageRegisters } from "../machine/sysreg-table.ts";
import { VCPU_SIZE } from "../machine/vcpu-layout.ts";
import { DeferredPages, PhysicalMemory } from "../memory.ts";
import { TranslationTableBuilder } from "../mmu/builder.ts";
import { S2AP } from "../mmu/descriptor-encoding.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { SCENARIO_MEMORY_MAP } from "./machine-memory.ts";
import { arbitraryValue, fillArbitraryBytes } from "./prng.ts";
import { checkSysregsKeys, hex, KNOWN_CAPABILITIES, parFor, ScenarioError, type AtOperationName, type Scenario, type ScenarioAt } from "./scenario.ts";

/** Where the scenario machine puts hyp data and guest tables (physical addresses). */
export const SCENARIO_LAYOUT = {
  /** The vcpu structure TPIDR_EL2 points at. */
  vcpu: 0x6000_0000n,
  /** SP_EL2 at entry; the stack grows down from here. */
  stackTop: 0x6001_0000n,
  /** Bytes below stackTop filled with arbitrary values (handlers use far less). */
  stackSize: 0x400n,
  /** Physical window of the guest's stage-1 and stage-2 tables. */
  tablePool: { base: 0x7000_0000n, size: 0x10_0000n },
  /** Stage-2 IPA size (VTCR_EL2.T0SZ = 24). */
  stage2IpaBits: 40,
} as const;

const PAGE_MASK = 0xfffn;
/** HPFAR_EL2's defined bits without FEAT_LPA: FIPA [43:4] (IPA[47:12]) and NS [63]. */
const HPFAR_DEFINED = (((1n << 40n) - 1n) << 4n) | (1n << 63n);
/** The value HPFAR_EL2 holds where the architecture leaves it UNKNOWN, under `seed`. */
export function unknownHpfarValue(seed: number): bigint {
  return arbitraryValue(seed, "HPFAR_EL2") & HPFAR_DEFINED;
}
/** ID_AA64MMFR0_EL1 with PARange 0b0101 (48 bits, the model's PAMax), 16-bit ASIDs, 4K and 64K granules. */
const ID_AA64MMFR0 = 0x0000_0000_0000_1125n;
/** MPIDR_EL1 of CPU 0 (bit 31 RES1). */
const MPIDR = 0x8000_0000n;

export interface ScenarioMachineOptions {
  /** Add the capabilities Linux derives from MIDR (erratum 834220); default true. */
  deriveCapabilitiesFromMidr?: boolean;
}

export interface ScenarioMetadata {
  readonly seed: number;
  /** The capabilities the machine has (the scenario's and MIDR's), sorted. */
  readonly capabilities: readonly string[];
  /** Every value drawn from the seed, by register name (x0..x30, ESR_EL1, HPFAR_EL2, ...). */
  readonly arbitrary: ReadonlyMap<string, bigint>;
  /** The physical addresses of the vcpu structure and of the stack top. */
  readonly vcpu: bigint;
  readonly stackTop: bigint;
}

export interface ScenarioMachineSetup {
  /** A complete machine description: `new Machine(config)` gives the scenario's machine. */
  readonly config: MachineConfig;
  readonly meta: ScenarioMetadata;
}

function canonicalVa(va: bigint): boolean {
  // T0SZ = T1SZ = 16: TTBR0 takes VAs with bits [63:48] all 0, TTBR1 those with them all 1.
  const top = va >> 48n;
  return top === 0n || top === 0xffffn;
}

/**
 * Built guest tables by (FAR's page, at): many scenarios share them, and building them (table pages
 * zeroed, stage 2 mapped) costs far more than running a handler. Each machine gets a copy.
 */
const tableCache = new BoundedCache<GuestTables>(256);

/** A scenario's guest tables: built, or made when a machine first reads one of the table pool's pages. */
type GuestTables = { readonly memory: PhysicalMemory; readonly registers: Record<string, bigint> } | { readonly deferred: DeferredPages; readonly registers: Record<string, bigint> };

/** What the guest tables of `s` depend on: FAR's page and what AT finds there. */
function tablesKey(s: Scenario): string {
  // Page numbers as Numbers (exact), which print faster than BigInts.
  const at = s.at === undefined ? "identity" : s.at === "fault" || "par" in s.at ? "fault" : "ok" in s.at ? `ok:${pageNumber(s.at.ok)}` : `s2:${s.at.s2fault.level}:${s.at.s2fault.fault}`;
  return `${pageNumber(s.far)}|${at}`;
}

function guestTables(s: Scenario): { memory: PhysicalMemory; registers: Record<string, bigint> } {
  const entry = tableCache.get(tablesKey(s), () => {
    // A canonical FAR's page (or its neighbour) is mapped in FAR's half of the VA space.
    const upper = canonicalVa(s.far) && (s.far & VA_BIT_55) !== 0n;
    if (!canonicalVa(s.far) || (typeof s.at === "object" && "s2fault" in s.at)) {
      // Built now: mapping nothing, or refused (an {"s2fault"} FAR beyond 48 bits) where machineForScenario must refuse it.
      const builder = blankGuestTables(upper).fork();
      mapGuestTables(s, builder);
      return { memory: builder.tableMemory, registers: { ...builder.registers() } };
    }
    // One page of FAR's half mapped (FAR's or its neighbour's), which cannot fail: a handler
    // that never walks them (AT answered by the {"par"} form, or no AT at all) never has them
    // built. The registers do not depend on the mapping (a page of the half whose root the
    // blank builder has made): the blank builder's (a test compares them with a build's).
    const deferred = new DeferredPages(TABLE_POOL_PAGES.from, TABLE_POOL_PAGES.to, () => {
      const builder = blankGuestTables(upper).fork();
      mapGuestTables(s, builder);
      return builder.tableMemory;
    });
    return { deferred, registers: blankRegisters(upper) };
  });
  return { memory: "memory" in entry ? entry.memory.clone() : PhysicalMemory.withDeferredPages(SCENARIO_MEMORY_MAP, entry.deferred), registers: entry.registers };
}

/** The page numbers of the table pool, which holds every page of the guest tables. */
const TABLE_POOL_PAGES = {
  from: Number(SCENARIO_LAYOUT.tablePool.base >> 12n),
  to: Number((SCENARIO_LAYOUT.tablePool.base + SCENARIO_LAYOUT.tablePool.size) >> 12n),
};

/** The translation registers of the blank builders (lower, upper), which mapping a page of FAR's half leaves as they are. */
const blankRegisterSets: [Record<string, bigint> | undefined, Record<string, bigint> | undefined] = [undefined, undefined];

function blankRegisters(upper: boolean): Record<string, bigint> {
  const i = upper ? 1 : 0;
  return (blankRegisterSets[i] ??= Object.freeze({ ...blankGuestTables(upper).fork().registers() }) as Record<string, bigint>);
}

/**
 * The guest tables' builder as its constructor leaves it (stage 2's root, stage 1's TTBR0 root
 * mapped at stage 2), the same for every scenario: made once and never written again, each
 * scenario's tables go on from a fork of it (the same tables at the same addresses as a build
 * from the start, in a copy on write of its memory).
 */
let blankBuilder: TranslationTableBuilder | undefined;
/** blankBuilder with the TTBR1 tables' root made too, as a first mapping in the upper half makes it first. */
let blankUpperBuilder: TranslationTableBuilder | undefined;
const VA_BIT_55 = 1n << 55n;
/** A VA of the upper half (TTBR1: 48-bit VAs, start level 0). */
const UPPER_VA = 0xffff_0000_0000_0000n;

function blankGuestTables(upper: boolean): TranslationTableBuilder {
  blankBuilder ??= new TranslationTableBuilder({
    memory: new PhysicalMemory(SCENARIO_MEMORY_MAP),
    tablePool: SCENARIO_LAYOUT.tablePool,
    stage2: { ipaBits: SCENARIO_LAYOUT.stage2IpaBits },
  });
  if (!upper) return blankBuilder;
  if (blankUpperBuilder === undefined) {
    blankUpperBuilder = blankBuilder.fork();
    // Reading an entry of the start-level table makes the tree's root (and maps it at stage 2), nothing more.
    blankUpperBuilder.readStage1Entry(UPPER_VA, 0);
  }
  return blankUpperBuilder;
}

/** Builds the guest tables of `s` with `builder` (a fork of blankGuestTables()). */
function mapGuestTables(s: Scenario, builder: TranslationTableBuilder): void {
  const farPage = s.far & ~PAGE_MASK;
  // {par}: FAR stays unmapped; the machine's AT answers FAR with the given PAR (see the translator).
  const at = s.at === undefined ? { ok: farPage } : typeof s.at === "object" && "par" in s.at ? "fault" : s.at;
  const needsMapping = at !== "fault";
  if (!canonicalVa(s.far)) {
    if (needsMapping) {
      throw new ScenarioError(`"far" ${hex(s.far)} is outside both 48-bit VA ranges (bits [63:48] must be all 0 or all 1), so stage 1 cannot map it; use "at":"fault"`);
    }
    return;
  }
  if (at === "fault") {
    // FAR's page stays a hole; its neighbour is mapped so that the walk reaches the last level.
    builder.mapStage1(farPage ^ 0x1000n, (farPage ^ 0x1000n) & ((1n << 40n) - 1n), 0x1000n);
  } else if ("ok" in at) {
    builder.mapStage1(farPage, at.ok & ~PAGE_MASK, 0x1000n);
  } else {
    if (farPage >> 48n !== 0n) {
      throw new ScenarioError(`"at":{"s2fault":...} maps FAR's page to itself, but FAR ${hex(s.far)} is not a 48-bit IPA`);
    }
    builder.mapStage1(farPage, farPage, 0x1000n);
    const tableIpa = builder.stage1TableIpa(s.far, at.s2fault.level);
    switch (at.s2fault.fault) {
      case "translation":
        builder.unmapStage2(tableIpa, 3);
        break;
      case "permission":
        builder.updateStage2Leaf(tableIpa, { s2ap: S2AP.NONE });
        break;
      case "access-flag":
        builder.updateStage2Leaf(tableIpa, { af: false });
        break;
    }
  }
}

/** The registers the scenario machine sets from the scenario and its tables; every other UNKNOWN-reset one is drawn. */
const DEFINED_REGISTERS = new Set([
  // TranslationTableBuilder.registers()
  "TCR_EL1", "TTBR0_EL1", "TTBR1_EL1", "MAIR_EL1", "SCTLR_EL1", "HCR_EL2", "VTTBR_EL2", "VTCR_EL2",
  "ESR_EL2", "FAR_EL2", "HPFAR_EL2", "PAR_EL1", "TPIDR_EL2", "MPIDR_EL1", "ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1", "MIDR_EL1",
]);

let drawnNames: { registers: ReadonlySet<string>; sorted: readonly string[]; sortedWithHpfar: readonly string[] } | undefined;

/** The registers drawn from the seed (the guest's EL1 state, the EL2 registers nothing defines), and every drawn name in metadata order. */
function arbitraryNames(): NonNullable<typeof drawnNames> {
  if (drawnNames !== undefined) return drawnNames;
  const registers = storageRegisters().filter((r) => !DEFINED_REGISTERS.has(r.name) && r.reset === "unknown" && r.access === "rw").map((r) => r.name);
  const names = [...registers, ...Array.from({ length: 31 }, (_, i) => `x${i}`)];
  drawnNames = {
    registers: new Set(registers),
    sorted: [...names].sort(compareNames),
    sortedWithHpfar: [...names, "HPFAR_EL2"].sort(compareNames),
  };
  return drawnNames;
}

const X_NAMES = Array.from({ length: 31 }, (_, i) => `x${i}`);

/** The guest's X`index` at the trap in a scenario machine under `seed` (a scenario gives no X register itself). */
export function scenarioGuestX(seed: number, index: number): bigint {
  return arbitraryValue(seed, X_NAMES[index]);
}

/** The scenario machine's UNKNOWN values under `seed`: X0-X30 and the registers arbitraryNames() lists. */
class ScenarioUnknownValues implements UnknownValues {
  constructor(private readonly seed: number) {}
  x(index: number): bigint {
    return scenarioGuestX(this.seed, index);
  }
  sysreg(name: string): bigint | undefined {
    return arbitraryNames().registers.has(name) ? arbitraryValue(this.seed, name) : undefined;
  }
}

/** LazyScenarioMetadata's maps, once computed (kept apart so that metadata compare alike before and after). */
const drawnMaps = new WeakMap<LazyScenarioMetadata, ReadonlyMap<string, bigint>>();

/** A scenario machine's metadata; the map of drawn values is computed when first asked for. */
class LazyScenarioMetadata implements ScenarioMetadata {
  readonly vcpu = SCENARIO_LAYOUT.vcpu;
  readonly stackTop = SCENARIO_LAYOUT.stackTop;
  constructor(
    readonly seed: number,
    readonly capabilities: readonly string[],
    private readonly hpfarUnknown: boolean,
  ) {}
  get arbitrary(): ReadonlyMap<string, bigint> {
    let drawn = drawnMaps.get(this);
    if (drawn === undefined) {
      drawn = arbitraryMap(this.seed, this.hpfarUnknown);
      drawnMaps.set(this, drawn);
    }
    return drawn;
  }
}

/** The configuration and metadata of a scenario's machine (build it with `new Machine(config)`). */
export function scenarioMachineSetup(s: Scenario, options: ScenarioMachineOptions = {}): ScenarioMachineSetup {
  const { config, capabilities } = shapeSetup(s, options.deriveCapabilitiesFromMidr ?? true);
  const setup: MachineConfig = { ...config, sysregs: { ...config.sysregs, ...scenarioRegisters(s) }, unknown: new ScenarioUnknownValues(s.seed) };
  placeStackGarbage(setup.memory!, s.seed);
  return { config: setup, meta: new LazyScenarioMetadata(s.seed, capabilities, s.hpfar === "unknown") };
}

/**
 * The machine description of `s` apart from what is the scenario's own (scenarioRegisters, the
 * seed's values and stack): its guest tables, capabilities, MIDR, the registers that follow from
 * them, a zeroed vcpu. Every scenario of one shape (scenarioTemplate's key) has the same.
 */
function shapeSetup(s: Scenario, deriveFromMidr: boolean): { config: MachineConfig; capabilities: string[] } {
  const { memory, registers } = shapeMemory(s);
  const { config, capabilities } = shapeMachineSetup(registers, s, deriveFromMidr);
  return {
    config: { ...config, memory, ...(s.at !== undefined && typeof s.at === "object" && "par" in s.at ? { translator: fixedParTranslator(s.far, s.at) } : {}) },
    capabilities,
  };
}

/** The memory of the machines of the shape of `s` (its guest tables, a zeroed vcpu) and the tables' registers. */
function shapeMemory(s: Scenario): { memory: PhysicalMemory; registers: Record<string, bigint> } {
  const tables = scenarioGuestTables(s);
  // The vcpu is zeroed (Linux allocates it with kmem_cache_zalloc); the stack holds garbage.
  // (memory is this machine's own copy of the cached tables, so writing to it is safe.)
  tables.memory.fill(SCENARIO_LAYOUT.vcpu, BigInt(VCPU_SIZE), 0);
  return tables;
}

/**
 * The machine description of a shape but for its memory and the {"par"} form's translator: the
 * guest tables' registers `translation`, the capabilities, MIDR and what follows from them. Every
 * shape of the same registers and rest (restKey) has the same.
 */
function shapeMachineSetup(translation: Record<string, bigint>, s: Scenario, deriveFromMidr: boolean): { config: MachineConfig; capabilities: string[] } {
  const caps = scenarioCapabilities(s, deriveFromMidr);
  const sysregs: Record<string, bigint> = {
    ...translation,
    TPIDR_EL2: SCENARIO_LAYOUT.vcpu,
    MPIDR_EL1: MPIDR,
    ID_AA64MMFR0_EL1: ID_AA64MMFR0,
    // ID_AA64MMFR1_EL1.VH [11:8] says whether VHE is implemented.
    ID_AA64MMFR1_EL1: caps.has(ARM64_HAS_VIRT_HOST_EXTN) ? 0x100n : 0n,
  };
  // Everything else the architecture leaves arbitrary (the rest of the guest's EL1 state, its own
  // ESR_EL1 and FAR_EL1 included, the EL2 registers this model does not define, X0-X30) comes
  // from `unknown`, drawn under the seed when read.
  const config: MachineConfig = {
    ...(s.midr !== undefined ? { midr: s.midr } : {}),
    capabilities: caps,
    sysregs,
    sp: SCENARIO_LAYOUT.stackTop,
    el: 2,
  };
  return { config, capabilities: [...caps].sort() };
}

/** The guest tables of `s` (a copy of the kept ones) and their registers; a ScenarioError when they cannot be built. */
function scenarioGuestTables(s: Scenario): { memory: PhysicalMemory; registers: Record<string, bigint> } {
  try {
    return guestTables(s);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`cannot build the guest tables: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The capabilities of the machine of `s`: the scenario's, and MIDR's when derived. */
function scenarioCapabilities(s: Scenario, deriveFromMidr: boolean): Set<string> {
  const caps = new Set(s.caps);
  if (deriveFromMidr) {
    for (const c of capabilitiesFromMidr(s.midr ?? DEFAULT_MIDR)) caps.add(c);
  }
  return caps;
}

/** What AT on FAR answers from on a scenario machine: its {"par":...} form's values, or the tables the MMU model walks. */
export type ScenarioAtSource = { readonly fixed: ParAt } | { readonly context: TranslationContext };
type ParAt = Extract<ScenarioAt, { readonly par: bigint }>;

/**
 * What AT on FAR reads on the machine machineForScenario(s) builds (MIDR's capabilities derived),
 * without building that machine: the {"par":...} form's values, or the registers and memory the
 * MMU model walks (the scenario's guest tables; HCR_EL2 with E2H where the machine sets it). The
 * trap builder asks it of a form it may not keep, where a machine (its template, its copy) would
 * cost more than the walks. It throws the ScenarioErrors machineForScenario throws; undefined for
 * a scenario with registers of its own (they may set a translation register): ask the machine.
 */
export function scenarioAtSource(s: Scenario): ScenarioAtSource | undefined {
  if (s.sysregs !== undefined) return undefined;
  // The tables are built (or found) as for the machine, whose AT the {"par"} form answers but for FAR.
  const { memory, registers } = scenarioGuestTables(s);
  if (s.at !== undefined && typeof s.at === "object" && "par" in s.at) return { fixed: s.at };
  const hcr = hypRunsWithE2H(scenarioCapabilities(s, true)) ? registers.HCR_EL2 | HCR_EL2_E2H : registers.HCR_EL2;
  const regs = registers as unknown as TranslationRegisters;
  return { context: translationContextOf({ ...regs, HCR_EL2: hcr }, memory) };
}

/** The registers a scenario sets itself: ESR_EL2, FAR_EL2, HPFAR_EL2 (drawn when "unknown"), PAR_EL1 and its `sysregs`. */
function scenarioRegisters(s: Scenario): Record<string, bigint> {
  const own = {
    ESR_EL2: s.esr,
    FAR_EL2: s.far,
    HPFAR_EL2: s.hpfar === "unknown" ? unknownHpfarValue(s.seed) : s.hpfar,
    PAR_EL1: s.par,
  };
  if (s.sysregs === undefined) return own;
  checkSysregsKeys(s.sysregs);
  return { ...own, ...s.sysregs };
}

/** The metadata's map of drawn values: X0-X30, the drawn registers, HPFAR_EL2 when UNKNOWN; in arbitraryNames() order. */
function arbitraryMap(seed: number, hpfarUnknown: boolean): ReadonlyMap<string, bigint> {
  const names = arbitraryNames();
  return new Map((hpfarUnknown ? names.sortedWithHpfar : names.sorted).map((n) => [n, n === "HPFAR_EL2" ? unknownHpfarValue(seed) : arbitraryValue(seed, n)]));
}

/** The pages of the stack's garbage: each page, and the part of the stack it holds (offsets into the page and into the stack). */
const STACK_PAGES: readonly { page: bigint; pageOffset: number; from: number; to: number }[] = (() => {
  const top = SCENARIO_LAYOUT.stackTop;
  const base = top - SCENARIO_LAYOUT.stackSize;
  const pages = [];
  for (let page = base & ~PAGE_MASK; page < top; page += PAGE_MASK + 1n) {
    const from = page > base ? page : base;
    const to = page + PAGE_MASK + 1n < top ? page + PAGE_MASK + 1n : top;
    pages.push({ page, pageOffset: Number(from - page), from: Number(from - base), to: Number(to - base) });
  }
  return pages;
})();

/**
 * The stack's arbitrary bytes of the last STACK_SEEDS seeds drawn: one trap's scenario runs on
 * several machines (each variant, a re-run with HPFAR_EL2 drawn), all under its seed, and drawing
 * the stack (a splitmix64 per 8 bytes) cost more than running the handler on it. An oracle
 * batch's traps take the seeds 0 to 35, batch after batch: more than it has are kept (1 KB each).
 */
const STACK_SEEDS = 64;
const stackBytes = new BoundedCache<Uint8Array, number>(STACK_SEEDS);

function stackGarbage(seed: number): Uint8Array {
  return stackBytes.get(seed, () => {
    const bytes = new Uint8Array(Number(SCENARIO_LAYOUT.stackSize));
    fillArbitraryBytes(bytes, seed, "stack");
    return bytes;
  });
}

/** The stack's arbitrary bytes below stackTop, on lazy pages: drawn only if the handler touches them. */
function placeStackGarbage(memory: PhysicalMemory, seed: number): void {
  for (const { page, pageOffset, from, to } of STACK_PAGES) {
    memory.lazyPage(page, (bytes) => bytes.set(stackGarbage(seed).subarray(from, to), pageOffset));
  }
}

/** x0 < x1 < ... < x30 < registers by name. */
function compareNames(a: string, b: string): number {
  const xa = /^x(\d+)$/.exec(a);
  const xb = /^x(\d+)$/.exec(b);
  if (xa && xb) return Number(xa[1]) - Number(xb[1]);
  if (xa) return -1;
  if (xb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What every scenario of one shape shares: a machine with its capabilities, MIDR and the
 * registers that follow from them and from its guest tables, whose UNKNOWN values are not drawn
 * (the scenario's own machine draws them under its seed), shared by every shape of the same
 * registers and rest (restKey) and its own memory never used; the shape's memory (its guest
 * tables, a zeroed vcpu); and the sorted capabilities. Each scenario machine is a copy of the
 * machine with a copy of the memory: a shape seen for the first time (each trap of an oracle
 * batch) costs a memory, not a machine.
 */
interface ScenarioTemplate {
  readonly machine: Machine;
  readonly memory: PhysicalMemory;
  readonly capabilities: readonly string[];
}

/** A machine of ScenarioTemplate's, with its sorted capabilities. */
interface SharedTemplate {
  readonly machine: Machine;
  readonly capabilities: readonly string[];
}

/**
 * The shared machines by the guest tables' registers (the object: a canonical FAR's tables share
 * their blank builder's) and rest (restKey). Kept while the registers are (tableCache keeps them).
 */
const sharedTemplates = new WeakMap<object, Map<number | string, SharedTemplate>>();

function sharedTemplate(registers: Record<string, bigint>, s: Scenario, deriveFromMidr: boolean, rest: number | string): SharedTemplate {
  let byRest = sharedTemplates.get(registers);
  if (byRest === undefined) sharedTemplates.set(registers, (byRest = new Map()));
  let shared = byRest.get(rest);
  if (shared === undefined) {
    const { config, capabilities } = shapeMachineSetup(registers, s, deriveFromMidr);
    // Its memory is never read: every machine made from it is given its shape's.
    shared = { machine: new Machine({ ...config, memory: new PhysicalMemory(SCENARIO_MEMORY_MAP), unknown: TEMPLATE_DRAWS_NOTHING }), capabilities: Object.freeze(capabilities) };
    byRest.set(rest, shared);
  }
  return shared;
}

/** A template's machine draws nothing: every scenario machine made from it has its own source. */
const TEMPLATE_DRAWS_NOTHING: UnknownValues = {
  x: () => {
    throw new Error("internal: a scenario template read an UNKNOWN X register");
  },
  sysreg: (name) => {
    throw new Error(`internal: a scenario template read the UNKNOWN ${name}`);
  },
};

/**
 * Scenario templates by shape: FAR's page, what AT finds there (atKey), then the rest (restKey:
 * the capabilities given, MIDR, whether MIDR's are derived). Looked up for every scenario, so the
 * keys are Numbers where the shape allows (no BigInt step, no string built) and short strings
 * otherwise; at most TEMPLATES are kept (all forgotten at once).
 */
const templates = new Map<number, Map<number | string, Map<number | string, ScenarioTemplate>>>();
let templateCount = 0;
const TEMPLATES = 256;

/**
 * The template each scenario object was last given, for either choice of deriveFromMidr (a
 * scenario is a value, never changed once made): one scenario is run by both sides of a sweep or
 * an oracle comparison, and finding its shape's template again costs more than its C-like run.
 */
const templateOf = [new WeakMap<Scenario, ScenarioTemplate>(), new WeakMap<Scenario, ScenarioTemplate>()] as const;

function scenarioTemplate(s: Scenario, deriveFromMidr: boolean): ScenarioTemplate {
  const memo = templateOf[deriveFromMidr ? 1 : 0];
  const last = memo.get(s);
  if (last !== undefined) return last;
  const template = shapeTemplate(s, deriveFromMidr);
  memo.set(s, template);
  return template;
}

/** The template of the shape of `s`, built if it is not kept. */
function shapeTemplate(s: Scenario, deriveFromMidr: boolean): ScenarioTemplate {
  const page = pageNumber(s.far);
  const at = atKey(s.at);
  const rest = restKey(s.caps, s.midr, deriveFromMidr);
  const byAt = templates.get(page);
  const byRest = byAt?.get(at);
  const known = byRest?.get(rest);
  return known !== undefined ? known : newTemplate(s, deriveFromMidr, page, at, rest, byAt, byRest);
}

/** Builds and keeps the template of a shape not seen yet (apart from scenarioTemplate, which is small enough to inline). */
function newTemplate(
  s: Scenario,
  deriveFromMidr: boolean,
  page: number,
  at: number | string,
  rest: number | string,
  known: Map<number | string, Map<number | string, ScenarioTemplate>> | undefined,
  knownRest: Map<number | string, ScenarioTemplate> | undefined,
): ScenarioTemplate {
  let byAt = known;
  let byRest = knownRest;
  // The scenario's own registers (ESR, FAR, HPFAR, PAR, sysregs) and seed are not the shape's:
  // the template is set up as for a scenario without them, and each machine sets its own.
  // Nor is the {"par":...} form's translator (its PARs are the scenario's; "fault" shares the
  // shape): the template's AT is the MMU model's, and machineForScenario gives a {"par"} machine its own.
  const { memory, registers } = shapeMemory(s);
  const shared = sharedTemplate(registers, s, deriveFromMidr, rest);
  const template: ScenarioTemplate = { machine: shared.machine, memory, capabilities: shared.capabilities };
  if (templateCount >= TEMPLATES) {
    templates.clear();
    templateCount = 0;
    byAt = undefined;
    byRest = undefined;
  }
  if (byAt === undefined) templates.set(page, (byAt = new Map()));
  if (byRest === undefined) byAt.set(at, (byRest = new Map()));
  byRest.set(rest, template);
  templateCount++;
  return template;
}

/** Addresses below this are exact as Numbers. */
const NUMBER_EXACT = 1n << 53n;

/** The 4K page number of a 64-bit address, as a Number (exact: at most 52 bits). */
function pageNumber(address: bigint): number {
  return address < NUMBER_EXACT ? Math.floor(Number(address) / 4096) : Number(address >> 12n);
}

/** What AT finds on FAR's page, as the guest tables depend on it: the page it maps FAR to, or a letter. */
function atKey(at: Scenario["at"]): number | string {
  if (at === undefined) return "i";
  if (at === "fault" || "par" in at) return "f";
  if ("ok" in at) return pageNumber(at.ok);
  return `s${at.s2fault.level}${at.s2fault.fault}`;
}

/**
 * The capabilities given, in their order (a machine's set iterates in it), MIDR and whether
 * MIDR's are derived: with at most REST_CAPS known capabilities and no MIDR or one of the first
 * REST_MIDRS seen, a Number (each capability a digit 1-6 in base 7, then the derive bit, then
 * the MIDR's number, 0 for none); otherwise a string, a known name as a letter and another as
 * its JSON string.
 */
function restKey(caps: readonly string[], midr: bigint | undefined, deriveFromMidr: boolean): number | string {
  const midrNumber = midr === undefined ? 0 : midrIndex(midr);
  if (midrNumber !== undefined && caps.length <= REST_CAPS) {
    let key = 0;
    for (const c of caps) {
      const i = KNOWN_CAPABILITIES.indexOf(c);
      if (i < 0) return restString(caps, midr, deriveFromMidr);
      key = key * 7 + i + 1;
    }
    return (key * 2 + (deriveFromMidr ? 1 : 0)) * (REST_MIDRS + 1) + midrNumber;
  }
  return restString(caps, midr, deriveFromMidr);
}

/** The MIDRs restKey has numbered (1, 2, ...: the order first seen), at most REST_MIDRS. */
const midrNumbers = new Map<bigint, number>();
/** 7^15 * 2 * (REST_MIDRS + 1) is below 2^53. */
const REST_MIDRS = 255;

/** The number of `midr` in restKey's keys; undefined once REST_MIDRS others have one (a string key then). */
function midrIndex(midr: bigint): number | undefined {
  let n = midrNumbers.get(midr);
  if (n === undefined && midrNumbers.size < REST_MIDRS) midrNumbers.set(midr, (n = midrNumbers.size + 1));
  return n;
}

/** Capabilities restKey keeps in a Number; KNOWN_CAPABILITIES has six names (digits 1-6). */
const REST_CAPS = 15;

function restString(caps: readonly string[], midr: bigint | undefined, deriveFromMidr: boolean): string {
  let key = "";
  for (const c of caps) {
    const i = KNOWN_CAPABILITIES.indexOf(c);
    key += i >= 0 ? String.fromCharCode(65 + i) : JSON.stringify(c);
  }
  return `${key}|${midr ?? ""}|${deriveFromMidr ? 1 : 0}`;
}

/**
 * A Machine at EL2 as after the scenario's guest trap: the same machine `new
 * Machine(scenarioMachineSetup(s).config)` builds, made as a copy of its shape's template.
 */
export function machineForScenario(s: Scenario, options: ScenarioMachineOptions = {}): { machine: Machine; meta: ScenarioMetadata } {
  let template: ScenarioTemplate;
  try {
    template = scenarioTemplate(s, options.deriveCapabilitiesFromMidr ?? true);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`cannot build the guest tables: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config: MachineConfig = { from: template.machine, memory: template.memory.clone(), unknown: new ScenarioUnknownValues(s.seed) };
  if (s.sysregs !== undefined) {
    checkSysregsKeys(s.sysregs);
    config.sysregs = s.sysregs;
  }
  if (s.at !== undefined && typeof s.at === "object" && "par" in s.at) config.translator = fixedParTranslator(s.far, s.at);
  const machine = new Machine(config);
  // scenarioRegisters(s) apart from `sysregs` (whose keys are none of these), by slot.
  machine.setSysregAt(OWN_SLOTS.esr, s.esr);
  machine.setSysregAt(OWN_SLOTS.far, s.far);
  machine.setSysregAt(OWN_SLOTS.hpfar, s.hpfar === "unknown" ? unknownHpfarValue(s.seed) : s.hpfar);
  machine.setSysregAt(OWN_SLOTS.par, s.par);
  placeStackGarbage(machine.memory, s.seed);
  return { machine, meta: new LazyScenarioMetadata(s.seed, template.capabilities, s.hpfar === "unknown") };
}

/** The slots of the registers every scenario sets (scenarioRegisters). */
const OWN_SLOTS = {
  esr: sysregSlotOf("ESR_EL2")!,
  far: sysregSlotOf("FAR_EL2")!,
  hpfar: sysregSlotOf("HPFAR_EL2")!,
  par: sysregSlotOf("PAR_EL1")!,
} as const;

/** AT of FAR answers `at`'s PAR for the operation; any other VA is translated by the MMU model over the scenario's tables. */
function fixedParTranslator(far: bigint, at: Parameters<typeof parFor>[0]): AddressTranslator {
  return (input) => {
    if (input.va !== far) return translateAtOperation(input);
    const op: AtOperationName = atKindOfTraits({ stages: input.stages ?? 1, el: input.el ?? 1, access: input.access });
    return parFor(at, op);
  };
}
