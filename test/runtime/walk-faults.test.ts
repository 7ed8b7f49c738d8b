// Walk faults through the trap builder, values worked out from the Arm ARM:
//  - a descriptor fetch the memory system refuses is Fault_SyncExternalOnWalk, FSC 0b0101:level
//    (0x14 + level; dsl/arch FaultStatus.SEA_TTW), at the level of the fetch;
//  - on a stage-1 table whose stage-2 translation succeeded it is a stage-1 fault (AArch64.S1Walk
//    passes its own FaultRecord to FetchDescriptor), taken to EL1: ESR_EL1 = DABT_CUR (0x25) | IL;
//  - on a stage-2 walk it is a stage-2 fault, to EL2 (S1PTW when the walk was for a stage-1 table);
//    HPFAR_EL2 is UNKNOWN for it (R_FKLWR names no External abort);
//  - AT meeting it takes a Data Abort (DDI 0487F.a D5.2.11): ESR_EL2 = DABT_CUR | IL | CM | WnR | S1PTW | FSC;
//  - HCR_EL2.PTW with a stage-1 table in stage-2 Device memory: a stage-2 Permission fault on the
//    walk (S1PTW) at the stage-2 leaf's level; without PTW, and for a read-only table page, no fault.
import { describe, expect, it } from "vitest";
import { MemoryMap, qemuVirtMemoryMap } from "../../src/runtime/memory-map.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { addressTranslateS1E1 } from "../../src/runtime/mmu/at.ts";
import { AtExternalAbort } from "../../src/runtime/mmu/at-exception.ts";
import { encodeLDFSC } from "../../src/runtime/mmu/fault.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { encodeTableDescriptor } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { translateGuestAccess } from "../../src/runtime/mmu/guest-access.ts";
import { QEMU_MACHINE } from "../../src/oracle/qemu.ts";
import { buildTrapTables } from "../../src/runtime/scenario/trap.ts";
import { SCENARIO_LAYOUT, ScenarioError, trapFromGuestAccess, type GuestAccessTrapInput, type Stage2Trap, type TrapOutcome } from "../../src/runtime/scenario/index.ts";
import { SCENARIO_MEMORY_MAP, SCENARIO_RAM } from "../../src/runtime/scenario/machine-memory.ts";

const DABT_CUR_IL = (0x25n << 26n) | (1n << 25n);
const DABT_LOW_IL = (0x24n << 26n) | (1n << 25n);
const S1PTW = 1n << 7n;
const WNR = 1n << 6n;
const CM = 1n << 8n;

function guest(extra: Partial<GuestAccessTrapInput> = {}): GuestAccessTrapInput {
  return {
    va: 0x4000_1234n,
    access: "read",
    kind: "data",
    stage1: [{ va: 0x4000_0000n, ipa: 0x8000_0000n, size: 0x1_0000n }],
    stage2: [{ ipa: 0x8000_0000n, pa: 0x5000_0000n, size: 0x1_0000n }],
    seed: 3,
    ...extra,
  };
}

function el2(o: TrapOutcome): Stage2Trap {
  if (o.taken !== "el2") throw new Error(`expected a trap to EL2, got ${o.taken}`);
  return o;
}

describe("the memory map", () => {
  it("backs whole ranges only, and names the first page above memory", () => {
    const map = qemuVirtMemoryMap(0x4000_0000n);
    expect(map.backs(0x4000_0000n, 8n)).toBe(true);
    expect(map.backs(0x7fff_fff8n, 8n)).toBe(true);
    expect(map.backs(0x7fff_fffcn, 8n)).toBe(false);
    expect(map.backs(0x8000_0000n, 8n)).toBe(false);
    expect(map.backs(0x0800_0000n, 8n)).toBe(false);
    expect(map.pageAboveMemory()).toBe(0x8000_0000n);
    expect(MemoryMap.EVERYWHERE.backs(0xffff_ffff_f000n, 8n)).toBe(true);
    expect(MemoryMap.EVERYWHERE.pageAboveMemory()).toBeUndefined();
    expect(() => MemoryMap.of([{ base: 0n, size: 0x2000n, name: "a" }, { base: 0x1000n, size: 0x1000n, name: "b" }])).toThrow(/overlap/);
  });

  it("is the QEMU board's: RAM size as the oracle's -m, every layout region inside it", () => {
    const m = QEMU_MACHINE[QEMU_MACHINE.indexOf("-m") + 1];
    expect(BigInt(m.replace(/G$/, "")) << 30n).toBe(SCENARIO_RAM.size);
    for (const [pa, bytes] of [[SCENARIO_LAYOUT.vcpu, 0x80n], [SCENARIO_LAYOUT.stackTop - SCENARIO_LAYOUT.stackSize, SCENARIO_LAYOUT.stackSize], [SCENARIO_LAYOUT.tablePool.base, SCENARIO_LAYOUT.tablePool.size]] as const) {
      expect(SCENARIO_MEMORY_MAP.backs(pa, bytes)).toBe(true);
    }
  });

  it("survives clone()", () => {
    const memory = new PhysicalMemory(SCENARIO_MEMORY_MAP);
    expect(memory.clone().map).toBe(SCENARIO_MEMORY_MAP);
  });
});

describe("external aborts on a table walk", () => {
  for (const level of [0, 1, 2, 3]) {
    it(`a level-${level} stage-1 table whose stage-2 output lies outside memory: stage-1 SEA on the walk at level ${level}, to EL1`, () => {
      for (const access of ["read", "write"] as const) {
        const o = trapFromGuestAccess(guest({ access, tableFaults: [{ va: 0x4000_1234n, level, fault: "external-abort" }] }));
        expect(o).toEqual({ taken: "el1", esr: DABT_CUR_IL | (access === "write" ? WNR : 0n) | BigInt(0x14 + level), far: 0x4000_1234n, faultType: "SyncExternalOnWalk", level });
      }
    });
  }

  for (const s2Level of [2, 3]) {
    it(`the stage-2 walk of a stage-1 table fetching its level-${s2Level} descriptor outside memory: S1PTW SEA at level ${s2Level}, HPFAR UNKNOWN, AT takes a Data Abort`, () => {
      const t = el2(trapFromGuestAccess(guest({ access: "write", tableFaults: [{ va: 0x4000_1234n, level: 2, fault: "walk-external-abort", s2Level }] })));
      expect(t.scenario.esr).toBe(DABT_LOW_IL | S1PTW | WNR | BigInt(0x14 + s2Level));
      expect(t.scenario.hpfar).toBe("unknown");
      expect(t.meta).toMatchObject({ faultType: "SyncExternalOnWalk", level: s2Level, s1ptw: true, hpfarValid: false, atPar: 1n });
      expect(t.meta.atAbortEsr).toBe(DABT_CUR_IL | CM | WNR | S1PTW | BigInt(0x14 + s2Level));
      expect(t.scenario.at).toEqual({ par: 1n });
    });
  }

  it("the stage-2 walk of the access's IPA fetching a descriptor outside memory: SEA at that level, S1PTW=0; AT on FAR succeeds (stage 1 only)", () => {
    for (const level of [2, 3]) {
      const t = el2(trapFromGuestAccess(guest({ stage2WalkAborts: [{ ipa: 0x8000_1000n, level }] })));
      expect(t.scenario.esr).toBe(DABT_LOW_IL | BigInt(0x14 + level));
      expect(t.scenario.hpfar).toBe("unknown");
      // AT S1E1R does not walk stage 2; AT S12E1R/W do, and take the abort (the stand-in: F alone).
      expect(t.scenario.at).toEqual({ par: 0xff00000080001b80n, ops: { s1e0r: 0x81fn, s1e0w: 0x81fn, s12e1r: 1n, s12e1w: 1n, s12e0r: 0x81fn, s12e0w: 0x81fn } });
      expect(t.meta.atAbortEsrs).toEqual({ s12e1r: DABT_CUR_IL | CM | WNR | BigInt(0x14 + level), s12e1w: DABT_CUR_IL | CM | WNR | BigInt(0x14 + level) });
    }
  });

  it("AT S1E1R at EL2 whose stage-1 descriptor fetch is outside memory raises AtExternalAbort, not a PAR", () => {
    const memory = new PhysicalMemory(SCENARIO_MEMORY_MAP);
    const b = buildTrapTables(guest({ tableFaults: [{ va: 0x4000_1234n, level: 3, fault: "external-abort" }] }), memory);
    let thrown: unknown;
    try {
      addressTranslateS1E1({ va: 0x4000_1234n, access: "read", sysreg: b.sysreg(), memory });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AtExternalAbort);
    expect((thrown as AtExternalAbort).esr).toBe(DABT_CUR_IL | CM | WNR | 0x17n);
  });

  it("needs a machine with a memory map; a stage-2 start-level abort is refused", () => {
    const memory = new PhysicalMemory();
    expect(() => buildTrapTables(guest({ tableFaults: [{ va: 0x4000_1234n, level: 3, fault: "external-abort" }] }), memory)).toThrow(/backs every PA/);
    expect(() => trapFromGuestAccess(guest({ stage2WalkAborts: [{ ipa: 0x8000_1000n, level: 1 }] }))).toThrow(ScenarioError);
    expect(() => trapFromGuestAccess(guest({ tableFaults: [{ va: 0x4000_1234n, level: 3, fault: "walk-external-abort", s2Level: 1 }] }))).toThrow(/levels 2\.\.3/);
  });

  it("stage 2 off: a TTBR naming a table outside memory aborts at level 0, a table descriptor naming one at the next level", () => {
    const memory = new PhysicalMemory(SCENARIO_MEMORY_MAP);
    const b = new TranslationTableBuilder({ memory, tablePool: SCENARIO_LAYOUT.tablePool });
    b.mapStage1(0x4000_0000n, 0x4000_0000n, 0x1000n);
    const outside = 0x8000_0000n;
    const guest = (sysreg: (name: string) => bigint) => translateGuestAccess({ va: 0x4000_0010n, access: "read", kind: "data", sysreg, memory });
    expect(guest(b.sysreg())).toMatchObject({ outcome: "success", pa: 0x4000_0010n });
    expect(guest(b.sysreg({ TTBR0_EL1: outside }))).toMatchObject({ outcome: "stage1-fault", faultType: "SyncExternalOnWalk", level: 0, fsc: 0x14 });
    expect(() => addressTranslateS1E1({ va: 0x4000_0010n, access: "read", sysreg: b.sysreg({ TTBR0_EL1: outside }), memory })).toThrow(AtExternalAbort);
    b.writeStage1Entry(0x4000_0000n, 1, encodeTableDescriptor(outside));
    expect(guest(b.sysreg())).toMatchObject({ outcome: "stage1-fault", faultType: "SyncExternalOnWalk", level: 2, fsc: 0x16 });
    // A memory that backs every PA (the default map): the fetch there reads zeros, a Translation fault.
    const flat = new PhysicalMemory();
    expect(translateGuestAccess({ va: 0x4000_0010n, access: "read", kind: "data", sysreg: b.sysreg({ TTBR0_EL1: 0x8000_0000n }), memory: flat })).toMatchObject({ outcome: "stage1-fault", faultType: "Translation", level: 0 });
  });

  it("encodes as FSC 0x14 + level", () => {
    expect([0, 1, 2, 3].map((l) => encodeLDFSC("SyncExternalOnWalk", l))).toEqual([0x14, 0x15, 0x16, 0x17]);
  });
});

describe("holes at any stage-2 level under a stage-1 table", () => {
  for (const s2Level of [1, 2, 3]) {
    it(`a stage-2 hole at level ${s2Level} under the level-3 table: S1PTW translation fault at level ${s2Level}, HPFAR the table's IPA, the other tables unharmed`, () => {
      const input = guest({ tableFaults: [{ va: 0x4000_1234n, level: 3, fault: "translation", s2Level }] });
      const t = el2(trapFromGuestAccess(input));
      expect(t.scenario.esr).toBe(DABT_LOW_IL | S1PTW | BigInt(0x04 + s2Level));
      expect(t.meta.hpfarValid).toBe(true);
      const memory = new PhysicalMemory(SCENARIO_MEMORY_MAP);
      const b = buildTrapTables(input, memory);
      expect(t.meta.ipa & ~0xfffn).toBe(b.stage1TableIpa(0x4000_1234n, 3));
      // Level 3 unmaps the page in place; above it the table moved into a region of its own.
      if (s2Level < 3) expect(t.meta.ipa >> 30n).toBe(0x3ffn);
      // Another VA under the same level-2 table but another level-3 table still translates.
      const away = trapFromGuestAccess({ ...input, va: 0x4020_0010n, stage1: [...input.stage1, { va: 0x4020_0000n, ipa: 0x8000_0000n }] });
      expect(away).toEqual({ taken: "none", ipa: 0x8000_0010n, pa: 0x5000_0010n });
    });
  }
});

describe("HCR_EL2.PTW and read-only table pages", () => {
  it("a stage-1 table in stage-2 Device memory under PTW: S1PTW permission fault at the stage-2 leaf level, the access's WnR", () => {
    for (const access of ["read", "write"] as const) {
      const t = el2(trapFromGuestAccess(guest({ access, hcrPtw: true, tableFaults: [{ va: 0x4000_1234n, level: 1, fault: "device" }] })));
      expect(t.scenario.esr).toBe(DABT_LOW_IL | S1PTW | (access === "write" ? WNR : 0n) | 0x0fn);
      expect(t.meta).toMatchObject({ faultType: "Permission", level: 3, s1ptw: true, hpfarValid: true });
    }
  });

  it("without PTW a Device table page is walked; a read-only table page never faults (a walk only reads)", () => {
    expect(trapFromGuestAccess(guest({ va: 0x4000_0010n, tableFaults: [{ va: 0x4000_1234n, level: 1, fault: "device" }] }))).toEqual({ taken: "none", ipa: 0x8000_0010n, pa: 0x5000_0010n });
    for (const access of ["read", "write"] as const) {
      for (const level of [0, 1, 2, 3]) {
        expect(trapFromGuestAccess(guest({ va: 0x4000_0010n, access, hcrPtw: true, tableFaults: [{ va: 0x4000_1234n, level, fault: "read-only" }] }))).toEqual({ taken: "none", ipa: 0x8000_0010n, pa: 0x5000_0010n });
      }
    }
  });

  it("a Device data page under PTW is no walk: the access translates", () => {
    expect(trapFromGuestAccess(guest({ va: 0x4000_0010n, hcrPtw: true, stage2: [{ ipa: 0x8000_0000n, pa: 0x5000_0000n, size: 0x1_0000n, memAttr: 0b0001 }] }))).toEqual({ taken: "none", ipa: 0x8000_0010n, pa: 0x5000_0010n });
  });

  it("s2Level is refused on kinds it does not apply to", () => {
    expect(() => trapFromGuestAccess(guest({ tableFaults: [{ va: 0x4000_1234n, level: 1, fault: "device", s2Level: 2 }] }))).toThrow(/"s2Level" applies/);
  });
});
