// The trap builder: guest accesses through real tables to what the architecture reports. Expected
// ESR values are worked out by hand from FACTS.md's encoding:
//   ESR = EC << 26 | IL (1 << 25) | S1PTW (1 << 7) | WnR (1 << 6) | FSC
//   DABT_LOW 0x24 -> 0x90000000 | 0x02000000 = 0x92000000; IABT_LOW 0x20 -> 0x82000000;
//   DABT_CUR 0x25 -> 0x94000000 | 0x02000000 = 0x96000000.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_MIDR } from "../../src/runtime/machine/machine.ts";
import { AP, S2AP } from "../../src/runtime/mmu/descriptor-encoding.ts";
import { PhysicalMemory } from "../../src/runtime/memory.ts";
import { TranslationTableBuilder } from "../../src/runtime/mmu/builder.ts";
import { AssemblyTarget } from "../../src/runtime/run/index.ts";
import {
  arbitraryValue, hpfarForIpa, SCENARIO_LAYOUT, ScenarioError, trapFromGuestAccess, unknownHpfarValue,
  type GuestAccessTrapInput,
} from "../../src/runtime/scenario/index.ts";
import { el2, trapGuest } from "../support/trap-guest.ts";

const REF = fileURLToPath(new URL("../../refs/kvm-2016-before.S", import.meta.url));
const seedHandler = AssemblyTarget.fromSource(readFileSync(REF, "utf8"), "refs/kvm-2016-before.S");

/** Guest: VA 0x40000000.. -> IPA 0x80000000.. (16 pages); stage 2 backs IPA 0x80000000 only. */
function guest(extra: Partial<GuestAccessTrapInput> = {}): GuestAccessTrapInput {
  return trapGuest({ seed: 5, ...extra });
}

/** The IPA of the stage-1 table the walk of `va` reads at `level`, as the trap builder lays it out. */
function tableIpa(input: GuestAccessTrapInput, va: bigint, level: number): bigint {
  const b = new TranslationTableBuilder({ memory: new PhysicalMemory(), tablePool: SCENARIO_LAYOUT.tablePool, stage2: { ipaBits: SCENARIO_LAYOUT.stage2IpaBits } });
  for (const m of input.stage1) b.mapStage1(m.va, m.ipa, m.size ?? 0x1000n);
  for (const m of input.stage2) b.mapStage2(m.ipa, m.pa, m.size ?? 0x1000n);
  return b.stage1TableIpa(va, level);
}

describe("trapFromGuestAccess", () => {
  it("an access that translates does not trap", () => {
    expect(trapFromGuestAccess(guest({ va: 0x4000_0010n }))).toEqual({ taken: "none", ipa: 0x8000_0010n, pa: 0x9000_0010n });
  });

  it("stage-2 translation fault at level 3, read: ESR 0x92000007, FAR = VA, HPFAR = IPA[47:12] << 4", () => {
    const t = el2(trapFromGuestAccess(guest()));
    expect(t.scenario).toEqual({
      esr: 0x92000007n, // DABT_LOW, IL, ISV=0, WnR=0, FSC 0x07
      far: 0x4000_1234n,
      hpfar: 0x800010n,
      par: arbitraryValue(5, "PAR_EL1"), // the guest's PAR_EL1: arbitrary
      // AT S1E1R on FAR: stage 1 maps it (Normal WB 0xff, Inner Shareable, NS, bit 11 RES1); the
      // {"ok"} form would answer AT S12E1R with the scenario machine's own stage 2 (a hole at level
      // 1), so the answers are stated: EL0 has no access to the EL1-only page (Permission fault,
      // level 3: F | FST 0x0f << 1 | bit 11 = 0x81f), and stage 2's hole is at level 3 (F | FST 0x07
      // << 1 | S | bit 11 = 0xa0f).
      at: { par: 0xff00000080001b80n, ops: { s1e0r: 0x81fn, s1e0w: 0x81fn, s12e1r: 0xa0fn, s12e1w: 0xa0fn, s12e0r: 0x81fn, s12e0w: 0x81fn } },
      caps: [],
      midr: DEFAULT_MIDR,
      seed: 5,
    });
    expect(t.meta).toMatchObject({ faultType: "Translation", level: 3, s1ptw: false, ipa: 0x8000_1234n, hpfarValid: true, hpfar: 0x800010n, erratum834220: false });
    expect(t.meta.atPar).toBe(0xff00000080001b80n);
  });

  it("the same fault on a store sets WnR: 0x92000047", () => {
    expect(el2(trapFromGuestAccess(guest({ access: "write" }))).scenario.esr).toBe(0x92000047n);
  });

  it("an IPA whose level-1 stage-2 entry is empty faults at level 1: FSC 0x05", () => {
    const t = el2(trapFromGuestAccess(guest({ va: 0x4000_2040n, stage1: [{ va: 0x4000_2000n, ipa: 0x1_8000_0000n }] })));
    expect(t.scenario.esr).toBe(0x92000005n);
    expect(t.scenario.hpfar).toBe(0x1800000n); // FACTS.md's QEMU value for IPA 0x180000040
  });

  it("stage-2 access-flag fault: 0x9200000b, HPFAR valid", () => {
    const t = el2(trapFromGuestAccess(guest({ va: 0x4000_0008n, stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n, af: false }] })));
    expect(t.scenario.esr).toBe(0x9200000bn);
    expect(t.scenario.hpfar).toBe(0x800000n);
  });

  it("S1PTW translation fault: 0x92000087, HPFAR = the stage-1 table's IPA, at finds the same PTW fault", () => {
    const input = guest({ tableFaults: [{ va: 0x4000_1234n, level: 3, fault: "translation" }] });
    const table = tableIpa(input, 0x4000_1234n, 3);
    const t = el2(trapFromGuestAccess(input));
    expect(t.scenario.esr).toBe(0x92000087n); // S1PTW, FSC translation at the stage-2 level 3
    // The descriptor read for VA[20:12] = 1 sits at table + 8; HPFAR holds its page.
    expect(t.meta.ipa).toBe(table + 8n);
    expect(t.scenario.hpfar).toBe(hpfarForIpa(table));
    expect(t.scenario.at).toEqual({ s2fault: { level: 3, fault: "translation" } });
    expect(t.meta.atPar).toBe(0xb0fn); // F, FST 0x07, PTW, S, bit 11
  });

  it("S1PTW permission fault: 0x9200008f and HPFAR is still valid (FACTS.md: S1PTW)", () => {
    const t = el2(trapFromGuestAccess(guest({ tableFaults: [{ va: 0x4000_1234n, level: 2, fault: "permission" }] })));
    expect(t.scenario.esr).toBe(0x9200008fn);
    expect(t.meta.hpfarValid).toBe(true);
    expect(t.scenario.at).toEqual({ s2fault: { level: 2, fault: "permission" } });
  });

  it("plain stage-2 permission fault on a store: 0x9200004f, HPFAR UNKNOWN, drawn from the seed and recorded", () => {
    const t = el2(trapFromGuestAccess(guest({ va: 0x4000_0010n, access: "write", stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n, s2ap: S2AP.READ_ONLY }] })));
    expect(t.scenario.esr).toBe(0x9200004fn);
    expect(t.scenario.hpfar).toBe("unknown");
    expect(t.meta.hpfarValid).toBe(false);
    expect(t.meta.hpfar).toBe(unknownHpfarValue(5));
    expect(t.meta.hpfar).not.toBe(hpfarForIpa(0x8000_0010n));
    // AT S12E1R reads through the read-only stage-2 page (PA 0x90000000, Normal WB); S12E1W meets
    // its Permission fault at level 3 (F | FST 0x0f << 1 | S | bit 11 = 0xa1f).
    expect(t.scenario.at).toEqual({ par: 0xff00000080000b80n, ops: { s1e0r: 0x81fn, s1e0w: 0x81fn, s12e1r: 0xff00000090000b80n, s12e1w: 0xa1fn, s12e0r: 0x81fn, s12e0w: 0x81fn } });
  });

  it("instruction fetch: IABT_LOW translation L3 is 0x82000007; stage-2 XN is a permission fault 0x8200000f with HPFAR UNKNOWN", () => {
    const fetch = guest({ va: 0x4000_2000n, kind: "instruction", stage1: [{ va: 0x4000_0000n, ipa: 0x8000_0000n, size: 0x1_0000n, uxn: false }] });
    const missing = el2(trapFromGuestAccess(fetch));
    expect(missing.scenario.esr).toBe(0x82000007n);
    expect(missing.scenario.hpfar).toBe(0x800020n);
    const xn = el2(trapFromGuestAccess({ ...fetch, va: 0x4000_0000n, stage2: [{ ipa: 0x8000_0000n, pa: 0x9000_0000n, xn: true }] }));
    expect(xn.scenario.esr).toBe(0x8200000fn); // no WnR for instruction aborts
    expect(xn.scenario.hpfar).toBe("unknown");
  });

  it("a stage-1 fault goes to EL1, not EL2: DABT_CUR from EL1 (0x96000007), DABT_LOW from EL0 (0x9200000f)", () => {
    const hole = trapFromGuestAccess(guest({ va: 0x4001_0008n, access: "write" }));
    // VA 0x40010008 is past the 16 mapped pages: the level-3 entry is empty.
    expect(hole).toEqual({ taken: "el1", esr: 0x96000047n, far: 0x4001_0008n, faultType: "Translation", level: 3 });
    const user = trapFromGuestAccess(guest({ va: 0x4000_0000n, el: 0 }));
    expect(user).toEqual({ taken: "el1", esr: 0x9200000fn, far: 0x4000_0000n, faultType: "Permission", level: 3 });
  });

  it("a page-crossing access takes the first part's fault", () => {
    // 8 bytes at 0x40000ffc: the first page translates, the second (IPA 0x80001000) faults at stage 2.
    const t = el2(trapFromGuestAccess(guest({ va: 0x4000_0ffcn, size: 8 })));
    expect(t.scenario.esr).toBe(0x92000007n);
    expect(t.scenario.far).toBe(0x4000_1000n);
    expect(t.scenario.hpfar).toBe(0x800010n);
  });

  it("reports bad input as ScenarioError", () => {
    expect(() => trapFromGuestAccess(guest({ kind: "instruction", access: "write" }))).toThrow(new ScenarioError("trap: an instruction fetch is a read"));
    expect(() => trapFromGuestAccess(guest({ size: 0 }))).toThrow(new ScenarioError("trap: access size 0 is not 1-64 bytes"));
    expect(() => trapFromGuestAccess(guest({ stage1: [{ va: 0x4000_0001n, ipa: 0x8000_0000n }] }))).toThrow(
      new ScenarioError("trap: cannot build the guest tables: stage-1 mapping: 0x40000001 is not 0x1000-aligned"),
    );
  });
});

describe("erratum 834220", () => {
  // An EL0 load of 8 bytes at 0x40000ffc: page A (0x40000000) is EL1-only at stage 1, so the
  // load's first part takes a stage-1 permission fault; page B (0x40001000, EL0 read/write) maps
  // IPA 0x80001000, which stage 2 does not map: a stage-2 translation fault.
  const crossing = (midr: bigint, behaviour?: "misreport" | "architectural"): GuestAccessTrapInput =>
    guest({
      va: 0x4000_0ffcn,
      size: 8,
      el: 0,
      midr,
      stage1: [
        { va: 0x4000_0000n, ipa: 0x8000_0000n, ap: AP.RW_EL1 },
        { va: 0x4000_1000n, ipa: 0x8000_1000n, ap: AP.RW_ALL },
      ],
      ...(behaviour !== undefined ? { erratum834220: behaviour } : {}),
    });
  const R1P2 = 0x411fd072n;
  const R1P3 = 0x411fd073n;
  const stage1Fault = { taken: "el1", esr: 0x9200000fn, far: 0x4000_0ffcn, faultType: "Permission", level: 3 } as const;

  it("a correct part takes the stage-1 permission fault to EL1", () => {
    expect(trapFromGuestAccess(crossing(R1P3))).toEqual(stage1Fault);
    expect(trapFromGuestAccess(crossing(R1P2, "architectural"))).toEqual(stage1Fault);
  });

  it("an affected part reports a stage-2 translation fault with page B's IPA in HPFAR", () => {
    const t = el2(trapFromGuestAccess(crossing(R1P2)));
    // AT on FAR (page A): EL1 reads it, EL0 may not (0x81f); stage 2 maps IPA 0x80000000 to PA 0x90000000.
    expect(t.scenario).toMatchObject({ esr: 0x92000007n, far: 0x4000_0ffcn, hpfar: 0x800010n, midr: R1P2 });
    expect(t.scenario.at).toEqual({ par: 0xff00000080000b80n, ops: { s1e0r: 0x81fn, s1e0w: 0x81fn, s12e1r: 0xff00000090000b80n, s12e1w: 0xff00000090000b80n, s12e0r: 0x81fn, s12e0w: 0x81fn } });
    expect(t.meta.erratum834220).toBe(true);
    expect(t.meta.architectural).toEqual(stage1Fault);
  });

  it("end to end with the seed's before code: without the workaround it records page B's IPA for FAR in page A", () => {
    const { scenario } = el2(trapFromGuestAccess(crossing(R1P2)));
    const r = seedHandler.run(scenario, { deriveCapabilitiesFromMidr: false });
    expect(r.meta.capabilities).toEqual([]);
    expect(r.outcome).toBe("exit");
    // FSC is a translation fault, so HPFAR_EL2 is trusted: the IPA of the other page.
    expect(r.fault).toEqual(new Map([["esr_el2", 0x92000007n], ["far_el2", 0x4000_0ffcn], ["hpfar_el2", 0x800010n]]));
  });

  it("end to end: with ARM64_WORKAROUND_834220 (from MIDR) the AT path runs; EL1 may read page A, so AT succeeds and FAR's own IPA is recorded", () => {
    const { scenario } = el2(trapFromGuestAccess(crossing(R1P2)));
    const r = seedHandler.run(scenario);
    expect(r.meta.capabilities).toEqual(["ARM64_WORKAROUND_834220"]);
    expect(r.outcome).toBe("exit");
    // AT S1E1R checks EL1 permissions (no PAN in ARMv8.0), which page A grants: the stage-1 fault
    // was an EL0 one, invisible to AT. The recorded IPA is page A's, consistent with FAR.
    expect(r.fault.get("hpfar_el2")).toBe(0x800000n);
    expect(r.sysregs.get("PAR_EL1")).toBe(scenario.par);
    expect(r.parPreserved).toBe(true);
  });

  it("end to end: with the workaround, when AT on FAR fails at stage 1 the handler re-enters the guest with its state restored", () => {
    // The same report after the guest unmapped page A (a stage-1 fault AT can see).
    const { scenario } = el2(trapFromGuestAccess(crossing(R1P2)));
    const stale = { ...scenario, at: "fault" as const };
    const withWorkaround = seedHandler.run(stale);
    expect(withWorkaround.outcome).toBe("retry");
    expect(withWorkaround.fault).toEqual(new Map([["esr_el2", 0n], ["far_el2", 0n], ["hpfar_el2", 0n]]));
    expect(withWorkaround.gprsRestored).toBe(true);
    expect(withWorkaround.spRestored).toBe(true);
    expect(withWorkaround.parPreserved).toBe(true);
    // Without it, the handler exits to the host with page B's IPA.
    const without = seedHandler.run(stale, { deriveCapabilitiesFromMidr: false });
    expect(without.outcome).toBe("exit");
    expect(without.fault.get("hpfar_el2")).toBe(0x800010n);
  });

  it("needs a page-crossing load on an affected MIDR", () => {
    expect(trapFromGuestAccess({ ...crossing(R1P2), size: 4 })).toEqual(stage1Fault);
    expect(trapFromGuestAccess({ ...crossing(R1P2), access: "write" })).toMatchObject({ taken: "el1" });
  });
});
