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
//    the metadata; none is silently zero.
import type { AddressTranslator } from "../machine/address-translator.ts";
import { DEFAULT_MIDR, Machine, type MachineConfig } from "../machine/machine.ts";
import { addressTranslateS1E1 } from "../mmu/at.ts";
import { ARM64_HAS_VIRT_HOST_EXTN, capabilitiesFromMidr } from "../machine/cpu-features.ts";
import { storageRegisters } from "../machine/sysreg-table.ts";
import { VCPU_SIZE } from "../machine/vcpu-layout.ts";
import { PhysicalMemory } from "../memory.ts";
import { TranslationTableBuilder } from "../mmu/builder.ts";
import { S2AP } from "../mmu/descriptor-encoding.ts";
import { arbitraryBytes, arbitraryValue } from "./prng.ts";
import { checkSysregsKeys, hex, parFor, ScenarioError, type AtOperationName, type Scenario } from "./scenario.ts";

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
const tableCache = new Map<string, { memory: PhysicalMemory; registers: Record<string, bigint> }>();
const TABLE_CACHE_LIMIT = 256;

function guestTables(s: Scenario): { memory: PhysicalMemory; registers: Record<string, bigint> } {
  const at = s.at === undefined ? "identity" : s.at === "fault" || "par" in s.at ? "fault" : "ok" in s.at ? `ok:${s.at.ok >> 12n}` : `s2:${s.at.s2fault.level}:${s.at.s2fault.fault}`;
  const key = `${s.far >> 12n}|${at}`;
  let entry = tableCache.get(key);
  if (entry === undefined) {
    const memory = new PhysicalMemory();
    entry = { memory, registers: buildGuestTables(s, memory) };
    if (tableCache.size >= TABLE_CACHE_LIMIT) tableCache.delete(tableCache.keys().next().value ?? key);
    tableCache.set(key, entry);
  }
  return { memory: entry.memory.clone(), registers: entry.registers };
}

/** Builds the guest tables in `memory` and returns the translation registers. */
function buildGuestTables(s: Scenario, memory: PhysicalMemory): Record<string, bigint> {
  const builder = new TranslationTableBuilder({
    memory,
    tablePool: SCENARIO_LAYOUT.tablePool,
    stage2: { ipaBits: SCENARIO_LAYOUT.stage2IpaBits },
  });
  const farPage = s.far & ~PAGE_MASK;
  // {par}: FAR stays unmapped; the machine's AT answers FAR with the given PAR (see the translator).
  const at = s.at === undefined ? { ok: farPage } : typeof s.at === "object" && "par" in s.at ? "fault" : s.at;
  const needsMapping = at !== "fault";
  if (!canonicalVa(s.far)) {
    if (needsMapping) {
      throw new ScenarioError(`"far" ${hex(s.far)} is outside both 48-bit VA ranges (bits [63:48] must be all 0 or all 1), so stage 1 cannot map it; use "at":"fault"`);
    }
    return { ...builder.registers() };
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
  return { ...builder.registers() };
}

/** The configuration and metadata of a scenario's machine (build it with `new Machine(config)`). */
export function scenarioMachineSetup(s: Scenario, options: ScenarioMachineOptions = {}): ScenarioMachineSetup {
  const arbitrary = new Map<string, bigint>();
  const draw = (name: string): bigint => {
    const v = arbitraryValue(s.seed, name);
    arbitrary.set(name, v);
    return v;
  };
  const recorded = (name: string, v: bigint): bigint => {
    arbitrary.set(name, v);
    return v;
  };

  let translation: Record<string, bigint>;
  let memory: PhysicalMemory;
  try {
    ({ memory, registers: translation } = guestTables(s));
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`cannot build the guest tables: ${e instanceof Error ? e.message : String(e)}`);
  }

  const caps = new Set(s.caps);
  if (options.deriveCapabilitiesFromMidr ?? true) {
    for (const c of capabilitiesFromMidr(s.midr ?? DEFAULT_MIDR)) caps.add(c);
  }

  const sysregs: Record<string, bigint> = {
    ...translation,
    ESR_EL2: s.esr,
    FAR_EL2: s.far,
    HPFAR_EL2: s.hpfar === "unknown" ? recorded("HPFAR_EL2", unknownHpfarValue(s.seed)) : s.hpfar,
    PAR_EL1: s.par,
    TPIDR_EL2: SCENARIO_LAYOUT.vcpu,
    MPIDR_EL1: MPIDR,
    ID_AA64MMFR0_EL1: ID_AA64MMFR0,
    // ID_AA64MMFR1_EL1.VH [11:8] says whether VHE is implemented.
    ID_AA64MMFR1_EL1: caps.has(ARM64_HAS_VIRT_HOST_EXTN) ? 0x100n : 0n,
  };
  // Everything else the architecture leaves arbitrary: the rest of the guest's EL1 state (its own
  // ESR_EL1 and FAR_EL1 included) and the EL2 registers this model does not define.
  for (const reg of storageRegisters()) {
    if (reg.name in sysregs || reg.name === "MIDR_EL1" || reg.reset !== "unknown" || reg.access !== "rw") continue;
    sysregs[reg.name] = draw(reg.name);
  }
  checkSysregsKeys(s.sysregs ?? {});
  for (const [name, v] of Object.entries(s.sysregs ?? {})) sysregs[name] = v;
  const x: Record<number, bigint> = {};
  for (let i = 0; i <= 30; i++) x[i] = draw(`x${i}`);

  // The vcpu is zeroed (Linux allocates it with kmem_cache_zalloc); the stack holds garbage.
  for (let i = 0n; i < BigInt(VCPU_SIZE); i += 8n) memory.write(SCENARIO_LAYOUT.vcpu + i, 8, 0n);
  const stack = arbitraryBytes(s.seed, "stack", Number(SCENARIO_LAYOUT.stackSize));
  const stackBase = SCENARIO_LAYOUT.stackTop - SCENARIO_LAYOUT.stackSize;
  stack.forEach((byte, i) => memory.writeByte(stackBase + BigInt(i), byte));
  // (memory is this machine's own copy of the cached tables, so writing to it is safe.)

  const config: MachineConfig = {
    ...(s.midr !== undefined ? { midr: s.midr } : {}),
    capabilities: caps,
    memory,
    sysregs,
    x,
    sp: SCENARIO_LAYOUT.stackTop,
    el: 2,
    ...(s.at !== undefined && typeof s.at === "object" && "par" in s.at ? { translator: fixedParTranslator(s.far, s.at) } : {}),
  };
  return {
    config,
    meta: {
      seed: s.seed,
      capabilities: [...caps].sort(),
      arbitrary: new Map([...arbitrary].sort(([a], [b]) => compareNames(a, b))),
      vcpu: SCENARIO_LAYOUT.vcpu,
      stackTop: SCENARIO_LAYOUT.stackTop,
    },
  };
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

/** A Machine at EL2 as after the scenario's guest trap. */
export function machineForScenario(s: Scenario, options: ScenarioMachineOptions = {}): { machine: Machine; meta: ScenarioMetadata } {
  const { config, meta } = scenarioMachineSetup(s, options);
  return { machine: new Machine(config), meta };
}

/** AT of FAR answers `at`'s PAR for the operation; any other VA is translated by the MMU model over the scenario's tables. */
function fixedParTranslator(far: bigint, at: Parameters<typeof parFor>[0]): AddressTranslator {
  return (input) => {
    if (input.va !== far) return addressTranslateS1E1(input);
    const op: AtOperationName = input.access === "any" ? "s1e1a" : `s1e${input.el ?? 1}${input.access === "write" ? "w" : "r"}`;
    return parFor(at, op);
  };
}
