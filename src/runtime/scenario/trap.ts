// The trap builder: from a guest memory access and the guest's translation tables, what the
// architecture does, as a Scenario for the EL2 handler when the access traps to EL2.
//
// The access is generic (access, kind, size) or made by a guest instruction (`instruction`, A64
// text): then its direction, size and permissions follow from the instruction
// (instruction-access.ts), and so does the instruction's part of the syndrome (syndrome.ts).
//
//  - the access completes: no trap (nor for a prefetch whose translation faults: it reports none);
//  - a stage-1 fault: taken to EL1 (ESR_EL1/FAR_EL1 reported here), no EL2 handler runs;
//  - a stage-2 fault: taken to EL2 with
//      ESR_EL2 = EC (DABT_LOW 0x24 / IABT_LOW 0x20) | IL | instruction syndrome | CM | S1PTW |
//      WnR (data) | FSC (stage-2 level). The instruction syndrome (ISV=1, SAS, SSE, SRT, SF, AR) is
//      there for a single general-purpose register load/store without writeback, not exclusive,
//      not on a stage-1 walk; a generic access has none (ISV=0);
//      FAR_EL2 = the VA;
//      HPFAR_EL2 = IPA[47:12] << 4 where the architecture writes it (translation, access-flag and
//      address-size faults, and any fault on a stage-1 table walk: FACTS.md "HPFAR_EL2 validity");
//      for a plain stage-2 permission fault it is UNKNOWN: the scenario says "unknown" and the
//      machine draws it from the seed (the metadata records that, and the value).
//  - the scenario's "at" is what AT S1E1R on FAR finds in these very tables, in the {"par":...}
//    form with a key per operation when the scenario machine would otherwise answer some AT
//    operation otherwise than these tables do (at-answers.ts); "par" the guest's PAR_EL1
//    (arbitrary, drawn from the seed).
//
// Erratum 834220 (Cortex-A57 r0p0-r1p2): a load crossing a page boundary whose first page takes a
// stage-1 permission fault while the second page takes a stage-2 translation fault may be reported
// as that stage-2 translation fault, with FAR_EL2 = the load's VA and HPFAR_EL2 = the second page's
// IPA. On an affected MIDR the builder produces that report (erratum834220: "misreport", the
// default) or the architectural one ("architectural"). Device-memory alignment faults, the
// erratum's other trigger, are not modelled by the MMU model.
import { ESR, ExceptionClass } from "../../../generated/arch-facts.ts";
import { hasErratum834220 } from "../machine/cpu-features.ts";
import { DEFAULT_MIDR } from "../machine/machine.ts";
import { PhysicalMemory } from "../memory.ts";
import { TranslationTableBuilder } from "../mmu/builder.ts";
import { S2AP } from "../mmu/descriptor-encoding.ts";
import type { FaultStatus } from "../mmu/fault.ts";
import { translateGuestAccessIn, type GuestAccessOutcome, type GuestStage2Fault } from "../mmu/guest-access.ts";
import { translationContextOf, type TranslationContext } from "../mmu/registers.ts";
import { addressSizeBuilderOptions, addressSizeKey, applyBeyondOutputSize, builderOptionsKey, checkStage1TableWindow, type BeyondOutputSizeSpec, type TranslationSizesSpec } from "./address-sizes.ts";
import type { AtKind } from "../semantics/at-operations.ts";
import { atAnsweringAs, guestAtAnswers, PAR_F_ONLY, type AtPars, type GuestAtAnswers } from "./at-answers.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { SCENARIO_MEMORY_MAP } from "./machine-memory.ts";
import { applyStage2WalkAbort, applyWalkFault, type Stage2WalkAbortSpec, type WalkFaultKind } from "./walk-faults.ts";
import { resolveGuestAccess, type ResolvedAccess } from "./instruction-access.ts";
import { SCENARIO_LAYOUT, unknownHpfarValue } from "./machine.ts";
import { arbitraryValue } from "./prng.ts";
import { dataAbortWnR, instructionIss } from "./syndrome.ts";
import { hex, scenario, ScenarioError, type Scenario, type ScenarioAt, type TableFaultKind } from "./scenario.ts";

// The classes and bit positions are dsl/arch's (generated/arch-facts.ts), not restated here.
export const EC_IABT_LOW: number = ExceptionClass.IABT_LOW;
export const EC_IABT_CUR: number = ExceptionClass.IABT_CUR;
export const EC_DABT_LOW: number = ExceptionClass.DABT_LOW;
export const EC_DABT_CUR: number = ExceptionClass.DABT_CUR;
const ESR_EC_SHIFT = BigInt(ESR.EC.lsb);
const ESR_IL = 1n << BigInt(ESR.IL.lsb);
const ESR_S1PTW = 1n << BigInt(ESR.S1PTW.lsb);
const ESR_WNR = 1n << BigInt(ESR.WnR.lsb);
const PAGE = 0x1000n;

export interface Stage1MappingSpec {
  va: bigint;
  ipa: bigint;
  /** Bytes (default one 4K page); a multiple of the leaf size. */
  size?: bigint;
  /** Leaf level (3 pages, 2 for 2M blocks, 1 for 1G blocks); default 3. */
  level?: number;
  /** AP[2:1] (see AP in mmu/descriptor-encoding.ts); default EL1 read/write. */
  ap?: number;
  af?: boolean;
  pxn?: boolean;
  uxn?: boolean;
  attrIndx?: number;
}

export interface Stage2MappingSpec {
  ipa: bigint;
  pa: bigint;
  size?: bigint;
  level?: number;
  /** S2AP (see S2AP); default read/write. */
  s2ap?: number;
  af?: boolean;
  xn?: boolean;
  /** Stage-2 MemAttr[3:0] (see S2_MEMATTR); default Normal Write-Back. Device memory (0b00xx) holding a stage-1 table faults under hcrPtw. */
  memAttr?: number;
}

/** The stage-1 table that the walk of `va` reads at `level` meets this at stage 2 (walk-faults.ts WalkFaultKind). */
export interface TableFaultSpec {
  va: bigint;
  level: number;
  fault: WalkFaultKind;
  /**
   * "translation": the stage-2 level of the hole (default 3, the table's own page; above 3 the
   * table is first moved to an IPA region of its own, so the hole covers it alone);
   * "walk-external-abort": the stage-2 level whose descriptor fetch is outside memory (default 3).
   */
  s2Level?: number;
}

export interface GuestAccessTrapInput {
  /** The address accessed: the instruction's effective address (DC/IC: its register's value). */
  va: bigint;
  /** Required without `instruction`; with it, derived from it (a different value is an error). */
  access?: "read" | "write";
  /** Required without `instruction`; with it, derived from it (a different value is an error). */
  kind?: "data" | "instruction";
  /** The guest's exception level (default 1). */
  el?: 0 | 1;
  /** Bytes accessed (data only; default 1, or the instruction's). A load that crosses a page touches both pages. */
  size?: number;
  /**
   * The guest instruction making the access, A64 assembly in GNU as syntax ("ldrsh w5, [x2]",
   * "ldp x1, x2, [x0, #16]!", "ldtr x3, [x0]", "ldar w1, [x0]", "stxr w3, x1, [x0]", "ldr q0, [x0]",
   * "prfm pldl1keep, [x0]", "dc zva, x0", "dc civac, x0", "ic ivau, x0", "br x0"). The access's
   * direction, size, kind and permissions follow from it (instruction-access.ts), and so does the
   * syndrome: ISV=1 with SAS, SSE, SRT, SF and AR for a stage-2 abort of a single general-purpose
   * register load/store without writeback, CM and WnR for cache maintenance (syndrome.ts).
   * Without it the access is generic and ISV is 0.
   */
  instruction?: string;
  /** DC ZVA's block size in bytes (DCZID_EL0; default 64, as QEMU's Cortex-A57). */
  dczvaBytes?: number;
  /** Stage-1 mappings; stage-1 tables are placed at IPA = PA and mapped at stage 2. */
  stage1: readonly Stage1MappingSpec[];
  stage2: readonly Stage2MappingSpec[];
  tableFaults?: readonly TableFaultSpec[];
  midr?: bigint;
  /** Capabilities of the host kernel, passed into the scenario. */
  caps?: readonly string[];
  seed?: number;
  /** What an erratum-834220 part reports when the erratum's conditions hold (default "misreport"). */
  erratum834220?: "misreport" | "architectural";
  /** HCR_EL2.PTW: a stage-1 table in stage-2 Device memory is a stage-2 Permission fault on the walk (default false). */
  hcrPtw?: boolean;
  /** Stage-2 walks of these IPAs fetch a descriptor outside memory (a synchronous External abort on the stage-2 walk). */
  stage2WalkAborts?: readonly Stage2WalkAbortSpec[];
  /** VA, IPA and PA sizes and VTCR_EL2.SL0 (address-sizes.ts; default 48-bit VAs, IPS 48, 40-bit IPA, PS 48). */
  translation?: TranslationSizesSpec;
  /**
   * IPA from which the stage-1 table pages are placed, one page each in allocation order, and mapped
   * at stage 2 to their table-pool PAs (default: each at IPA = its PA). HPFAR_EL2 of an S1PTW fault
   * then names an IPA that differs from the table's PA.
   */
  stage1TableIpa?: bigint;
  /** Table addresses set beyond TCR_EL1.IPS or VTCR_EL2.PS (Address size faults at a chosen level). */
  beyondOutputSize?: readonly BeyondOutputSizeSpec[];
}

export interface Stage1Trap {
  readonly taken: "el1";
  /** ESR_EL1: DABT/IABT _LOW (from EL0) or _CUR (from EL1), IL, WnR, FSC. */
  readonly esr: bigint;
  readonly far: bigint;
  readonly faultType: FaultStatus;
  readonly level: number;
}

export interface Stage2TrapMetadata {
  readonly faultType: FaultStatus;
  /** Stage-2 lookup level of the fault. */
  readonly level: number;
  readonly s1ptw: boolean;
  /** The IPA stage 2 failed on (the descriptor's IPA for S1PTW). */
  readonly ipa: bigint;
  /** HPFAR_EL2 holds the faulting IPA (false: UNKNOWN, drawn from the seed). */
  readonly hpfarValid: boolean;
  /** HPFAR_EL2's value on the scenario machine (the drawn value when UNKNOWN). */
  readonly hpfar: bigint;
  /** The guest's PAR_EL1 (arbitrary, drawn from the seed). */
  readonly par: bigint;
  /** PAR_EL1 that AT S1E1R on FAR gives on these tables (F alone when AT takes an exception, as Linux's __kvm_at then assumes). */
  readonly atPar: bigint;
  /** ESR_EL2 of the Data Abort AT S1E1R on FAR takes (a synchronous External abort on its walk) instead of writing PAR_EL1. */
  readonly atAbortEsr?: bigint;
  /** PAR_EL1 that each AT operation on FAR gives on these tables (F alone for one that takes an External abort); the scenario's `at` answers these. */
  readonly atPars: AtPars;
  /** ESR_EL2 of the Data Abort each AT operation on FAR that meets an External abort on its walk takes. */
  readonly atAbortEsrs?: Readonly<Partial<Record<AtKind, bigint>>>;
  /** The report is erratum 834220's misreport; `architectural` is what a correct part does. */
  readonly erratum834220: boolean;
  readonly architectural?: TrapOutcome;
}

export interface Stage2Trap {
  readonly taken: "el2";
  readonly scenario: Scenario;
  readonly meta: Stage2TrapMetadata;
}

export interface NoTrap {
  readonly taken: "none";
  readonly ipa: bigint;
  readonly pa: bigint;
}

/** A prefetch (PRFM) whose translation faults: a prefetch generates no fault, the hint is dropped. */
export interface DroppedPrefetch {
  readonly taken: "none";
  /** Where the fault a load of the same address meets would be taken, and what it is. */
  readonly prefetchFault: { readonly wouldTake: "el1" | "el2"; readonly faultType: FaultStatus; readonly level: number; readonly s1ptw: boolean };
}

export type TrapOutcome = NoTrap | DroppedPrefetch | Stage1Trap | Stage2Trap;

/** HPFAR_EL2 for a faulting IPA: FIPA [43:4] = IPA[47:12]. */
export function hpfarForIpa(ipa: bigint): bigint {
  return ((ipa >> 12n) & ((1n << 36n) - 1n)) << 4n;
}

/** The architecture writes HPFAR_EL2 for these stage-2 faults (FACTS.md, Arm ARM R_FKLWR). */
export function hpfarIsValid(faultType: FaultStatus, s1ptw: boolean): boolean {
  // R_FKLWR names no External abort, on a stage-1 table walk or not: HPFAR_EL2 is UNKNOWN for it.
  if (faultType === "SyncExternalOnWalk") return false;
  return s1ptw || faultType !== "Permission";
}

function fail(message: string): never {
  throw new ScenarioError(`trap: ${message}`);
}

/** The guest's stage-1 and stage-2 tables of a trap input, built in `memory` (also used by the QEMU oracle). */
export function buildTrapTables(input: GuestAccessTrapInput, memory: PhysicalMemory): TranslationTableBuilder {
  return buildTrapTablesFrom(trapTablesStart(input, memory), input, memory, 0);
}

/** The builder of a trap input's tables, nothing mapped yet. */
function trapTablesStart(input: GuestAccessTrapInput, memory: PhysicalMemory): TranslationTableBuilder {
  try {
    return new TranslationTableBuilder({ memory, tablePool: SCENARIO_LAYOUT.tablePool, ...addressSizeBuilderOptions(input) });
  } catch (e) {
    return tablesFailure(e);
  }
}

/** What building the tables threw, as the trap builder reports it. */
function tablesFailure(e: unknown): never {
  if (e instanceof ScenarioError) throw e;
  return fail(`cannot build the guest tables: ${e instanceof Error ? e.message : String(e)}`);
}

/** buildTrapTables() on `b`, which has mapped input.stage1's first `mapped` mappings in `memory`. */
function buildTrapTablesFrom(b: TranslationTableBuilder, input: GuestAccessTrapInput, memory: PhysicalMemory, mapped: number): TranslationTableBuilder {
  try {
    for (let i = mapped; i < input.stage1.length; i++) mapStage1Spec(b, input.stage1[i]);
    checkStage1TableWindow(b, input);
    for (const m of input.stage2) b.mapStage2(m.ipa, m.pa, m.size ?? PAGE, { level: m.level, s2ap: m.s2ap, af: m.af, xn: m.xn, memAttr: m.memAttr });
    for (const t of input.tableFaults ?? []) applyWalkFault(b, memory, t);
    for (const w of input.stage2WalkAborts ?? []) applyStage2WalkAbort(b, memory, w);
    b.setProtectedTableWalk(input.hcrPtw ?? false);
    applyBeyondOutputSize(b, input);
    return b;
  } catch (e) {
    return tablesFailure(e);
  }
}

function mapStage1Spec(b: TranslationTableBuilder, m: Stage1MappingSpec): void {
  b.mapStage1(m.va, m.ipa, m.size ?? PAGE, { level: m.level, ap: m.ap, af: m.af, pxn: m.pxn, uxn: m.uxn, attrIndx: m.attrIndx });
}

/**
 * Builders that have mapped a set-up's first stage-1 mapping and no more, by the address sizes
 * and that mapping: each trap of the QEMU oracle maps the harness image first, so its tables
 * (the TTBR0 tables, the stage-2 tables of the table pool) are built once and each set-up goes
 * on from a fork of them (TranslationTableBuilder.fork: the same tables at the same addresses as
 * building it from the start). Never written once kept: a fork's memory is a copy on write.
 */
const firstMappingCache = new BoundedCache<{ readonly builder: TranslationTableBuilder } | "fails">(16);

/** Trap tables built in a memory of their own: from a fork of their first mapping's builder when there is one to map. */
function buildOwnTrapTables(input: GuestAccessTrapInput): { memory: PhysicalMemory; builder: TranslationTableBuilder } {
  const first = input.stage1[0];
  const kept =
    first === undefined
      ? "fails"
      : firstMappingCache.get(`${builderOptionsKey(input)}|${specsKey([first])}`, () => {
          try {
            const builder = trapTablesStart(input, new PhysicalMemory(SCENARIO_MEMORY_MAP));
            mapStage1Spec(builder, first);
            return { builder };
          } catch {
            return "fails"; // the full build below reports it as it does for any set-up
          }
        });
  if (kept === "fails") {
    const memory = new PhysicalMemory(SCENARIO_MEMORY_MAP);
    return { memory, builder: buildTrapTables(input, memory) };
  }
  const builder = kept.builder.fork();
  const memory = builder.tableMemory;
  return { memory, builder: buildTrapTablesFrom(builder, input, memory, 1) };
}

/**
 * Built trap tables by their description: an oracle batch asks for the same set-up again and again,
 * and building it (table pages allocated, stage 2 mapped) costs more than the walk. Nothing here
 * writes to them afterwards (the MMU model only reads memory), so each caller gets the same copy.
 * Nothing outside trapFromGuestAccess's call sees them, so a set-up forgotten gives its memory's
 * pages back (PhysicalMemory.release) for the next set-up's tables: a page reused costs a tenth
 * of a new one. It keeps more set-ups than an oracle batch has (36), so that comparing a batch
 * again finds each, and few enough that a stream of new set-ups reuses forgotten pages from its
 * second batch on (each kept set-up holds a few table pages).
 */
const TRAP_TABLES_KEPT = 64;
const trapTableCache = new BoundedCache<TrapTables>(TRAP_TABLES_KEPT, (t) => t.memory.release());

/** A set-up's built tables: the builder, and the registers and memory its walks read (PAMax 48 bits). */
interface TrapTables {
  readonly memory: PhysicalMemory;
  readonly builder: TranslationTableBuilder;
  readonly ctx: TranslationContext;
}

/** Every field of every mapping and table fault, in order: equal keys build equal tables. */
function trapTablesKey(input: GuestAccessTrapInput): string {
  return `${specsKey(input.stage1)}|${specsKey(input.stage2)}|${specsKey(input.tableFaults)}|${specsKey(input.stage2WalkAborts)}|${input.hcrPtw === true}|${addressSizeKey(input)}`;
}

/**
 * Each spec's fields as name=value, in order (one string grown, not an array of entries per spec:
 * built for every trap), a bigint in hexadecimal (its decimal form costs a division per digit).
 */
function specsKey(specs: readonly object[] | undefined): string {
  let key = "";
  if (specs === undefined) return key;
  for (const spec of specs) {
    const fields = spec as Record<string, unknown>;
    for (const name in fields) {
      const value = fields[name];
      key += typeof value === "bigint" ? `${name}=0x${value.toString(16)},` : `${name}=${String(value)},`;
    }
    key += ";";
  }
  return key;
}

function trapTables(input: GuestAccessTrapInput): TrapTables {
  return trapTableCache.get(trapTablesKey(input), () => {
    const { memory, builder } = buildOwnTrapTables(input);
    return { memory, builder, ctx: translationContextOf(builder.registers(), memory) };
  });
}

/** ESR_EL1 of a stage-1 fault: the class of the EL executing the access (LDTR at EL1: _CUR). */
function stage1Esr(r: ResolvedAccess, wnr: boolean, fsc: number): bigint {
  const ec = r.kind === "data" ? (r.el === 0 ? EC_DABT_LOW : EC_DABT_CUR) : r.el === 0 ? EC_IABT_LOW : EC_IABT_CUR;
  const iss = r.instruction !== undefined && r.kind === "data" ? instructionIss(r.instruction, { reportedIn: "el1", s1ptw: false }) : 0n;
  return (BigInt(ec) << ESR_EC_SHIFT) | ESR_IL | iss | (r.kind === "data" && dataAbortWnR(r.instruction, wnr) ? ESR_WNR : 0n) | BigInt(fsc);
}

function stage2Esr(r: ResolvedAccess, f: GuestStage2Fault): bigint {
  const ec = r.kind === "data" ? EC_DABT_LOW : EC_IABT_LOW;
  // An external abort on a walk (the only one the model raises) may report the instruction
  // syndrome without FEAT_RAS (IMPLEMENTATION DEFINED "Report abort on walk"): taken as reported.
  const iss = r.instruction !== undefined && r.kind === "data" ? instructionIss(r.instruction, { reportedIn: "el2", s1ptw: f.s1ptw }) : 0n;
  return (BigInt(ec) << ESR_EC_SHIFT) | ESR_IL | iss | (f.s1ptw ? ESR_S1PTW : 0n) | (r.kind === "data" && dataAbortWnR(r.instruction, f.wnr) ? ESR_WNR : 0n) | BigInt(f.fsc);
}

/** The scenario's "at" form for what AT S1E1R on `far` finds (`answers`: every operation on these tables; PAR_EL1 value alongside). */
function atOnFar(b: TranslationTableBuilder, answers: GuestAtAnswers, far: bigint, tableFaults: readonly TableFaultSpec[]): { at: ScenarioAt; par: bigint; atAbortEsr?: bigint } {
  const par = answers.pars.s1e1r;
  const abortEsr = answers.abortEsrs.s1e1r;
  // AT takes a Data Abort (at-exception.ts). The scenario's `at` cannot take an exception; Linux
  // (__kvm_at, 6.12 on) survives it and treats PAR_EL1 as F alone, which is this answer.
  if (abortEsr !== undefined) return { at: { par: PAR_F_ONLY }, par: PAR_F_ONLY, atAbortEsr: abortEsr };
  if ((par & 1n) === 0n) return { at: { ok: par & (((1n << 36n) - 1n) << 12n) }, par };
  const ptw = (par & (1n << 8n)) !== 0n;
  if (!ptw) return { at: "fault", par };
  // A stage-2 fault on the walk of FAR: the first declared table fault on FAR's walk.
  for (let level = 0; level <= 3; level++) {
    let tableIpa: bigint;
    try {
      tableIpa = b.stage1TableIpa(far, level);
    } catch {
      continue;
    }
    const hit = tableFaults.find((t) => {
      try {
        return (b.stage1TableIpa(t.va, t.level) & ~(PAGE - 1n)) === (tableIpa & ~(PAGE - 1n));
      } catch {
        return false;
      }
    });
    // The scenario's {s2fault} form builds a level-3 hole, no access or no AF; others give AT's PAR.
    if (hit !== undefined && isScenarioTableFault(hit)) return { at: { s2fault: { level, fault: hit.fault } }, par };
    if (hit !== undefined) return { at: { par }, par };
  }
  // A stage-2 fault on the walk that no table fault names (an address beyond VTCR_EL2.PS, an IPA
  // beyond its T0SZ, an unusable start level): AT's PAR as the tables give it.
  return { at: { par }, par };
}

function isScenarioTableFault(t: TableFaultSpec): t is TableFaultSpec & { fault: TableFaultKind } {
  return (t.fault === "translation" && (t.s2Level ?? 3) === 3) || t.fault === "permission" || t.fault === "access-flag";
}

function translatePart(ctx: TranslationContext, r: ResolvedAccess, va: bigint): GuestAccessOutcome {
  try {
    const cm = r.cacheMaintenance !== undefined ? { cacheMaintenance: r.cacheMaintenance } : {};
    return translateGuestAccessIn(ctx, { va, access: r.access, kind: r.kind, el: r.permissionEl, ...cm });
  } catch (e) {
    return fail(`${hex(va)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** What one trap's prediction works from: its input, the access it makes, and the tables. */
interface TrapAccess {
  readonly input: GuestAccessTrapInput;
  readonly r: ResolvedAccess;
  readonly seed: number;
  readonly b: TranslationTableBuilder;
  readonly ctx: TranslationContext;
}

/** What the architecture does with the guest access; a Scenario when it traps to EL2. */
export function trapFromGuestAccess(input: GuestAccessTrapInput): TrapOutcome {
  const r = resolveGuestAccess(input);
  const { builder: b, ctx } = trapTables(input);
  const t: TrapAccess = { input, r, seed: input.seed ?? 0, b, ctx };

  // The access's parts: one, or two for a data access crossing into the next page.
  const last = r.start + BigInt(r.size) - 1n;
  const crosses = r.kind === "data" && (last & ~(PAGE - 1n)) !== (r.start & ~(PAGE - 1n));
  const parts = crosses ? [r.start, last & ~(PAGE - 1n)] : [r.start];
  const outcomes = parts.map((va) => translatePart(ctx, r, va));

  // Architecturally the parts are performed in address order; the first fault is taken.
  const firstFault = outcomes.findIndex((o) => o.outcome !== "success");
  if (firstFault < 0) {
    const o = outcomes[0];
    if (o.outcome !== "success") return fail("unreachable");
    return { taken: "none", ipa: o.ipa, pa: o.pa };
  }
  // FAR: the instruction's address (DC ZVA: its register, not the block's start), or the page crossed into.
  const architectural = partTrap(t, outcomes[firstFault], firstFault === 0 ? input.va : parts[firstFault]);

  const [a, second] = outcomes;
  const erratumApplies =
    crosses &&
    r.kind === "data" &&
    r.access === "read" &&
    !r.prefetch &&
    hasErratum834220(input.midr ?? DEFAULT_MIDR) &&
    (input.erratum834220 ?? "misreport") === "misreport" &&
    a.outcome === "stage1-fault" &&
    a.faultType === "Permission" &&
    second.outcome === "stage2-fault" &&
    second.faultType === "Translation";
  if (erratumApplies && second.outcome === "stage2-fault") return stage2Trap(t, second, input.va, true, architectural);
  return architectural;
}

/** What the part of the access at FAR `far` that met outcome `o` does. */
function partTrap(t: TrapAccess, o: GuestAccessOutcome, far: bigint): TrapOutcome {
  if (o.outcome === "success") return { taken: "none", ipa: o.ipa, pa: o.pa };
  if (t.r.prefetch) {
    return { taken: "none", prefetchFault: { wouldTake: o.outcome === "stage1-fault" ? "el1" : "el2", faultType: o.faultType, level: o.level, s1ptw: o.outcome === "stage2-fault" && o.s1ptw } };
  }
  if (o.outcome === "stage1-fault") {
    return { taken: "el1", esr: stage1Esr(t.r, o.wnr, o.fsc), far, faultType: o.faultType, level: o.level };
  }
  return stage2Trap(t, o, far, false);
}

/** The stage-2 fault `f` taken to EL2 at FAR `far`: its scenario and what the builder found (erratum: erratum 834220's misreport of `architectural`). */
function stage2Trap(t: TrapAccess, f: GuestStage2Fault, far: bigint, erratum: boolean, architectural?: TrapOutcome): Stage2Trap {
  const { input, r, seed, b, ctx } = t;
  const valid = hpfarIsValid(f.faultType, f.s1ptw);
  const guestPar = arbitraryValue(seed, "PAR_EL1");
  const answers = guestAtAnswers(far, ctx);
  const { at, par: atPar, atAbortEsr } = atOnFar(b, answers, far, input.tableFaults ?? []);
  const fields = {
    esr: stage2Esr(r, f),
    far,
    hpfar: valid ? hpfarForIpa(f.ipa) : ("unknown" as const),
    par: guestPar,
    caps: [...(input.caps ?? [])],
    midr: input.midr ?? DEFAULT_MIDR,
    seed,
  };
  // The form for AT S1E1R, unless the scenario machine answers another operation otherwise.
  const first = scenario({ ...fields, at });
  const allAt = atAnsweringAs(first, answers.pars);
  const s = allAt === at ? first : scenario({ ...fields, at: allAt });
  return {
    taken: "el2",
    scenario: s,
    meta: {
      faultType: f.faultType,
      level: f.level,
      s1ptw: f.s1ptw,
      ipa: f.ipa,
      hpfarValid: valid,
      hpfar: valid ? hpfarForIpa(f.ipa) : unknownHpfarValue(seed),
      par: guestPar,
      atPar,
      ...(atAbortEsr !== undefined ? { atAbortEsr } : {}),
      atPars: answers.pars,
      ...(Object.keys(answers.abortEsrs).length > 0 ? { atAbortEsrs: answers.abortEsrs } : {}),
      erratum834220: erratum,
      ...(architectural !== undefined ? { architectural } : {}),
    },
  };
}
